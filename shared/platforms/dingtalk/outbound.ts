import { errcodeClassifier, type SenderOptions } from '../../chat/http';
import type { PaceRule } from '../../chat/pacer';
import { PlatformSender, route } from '../../chat/platform-sender';
import { type ChatMessage, type ChatSender, RetryLaterError, type SendResult } from '../../chat/sender';
import type { SecretResolver } from '../../runtime/secrets';
import { signDingTalk } from './inbound';

/** The DingTalk platform config. */
export type { DingtalkConfig } from './platform';

import type { DingtalkConfig } from './platform';

export const DINGTALK_API = 'https://oapi.dingtalk.com';

/**
 * Over 20 a minute a robot is throttled for 10 minutes (130101 "send too
 * fast"); 130102 and 410100 are the other "too fast" answers.
 */
const FREQUENCY_CODES = new Set([130101, 130102, 410100]);
const THROTTLE_MS = 10 * 60_000;
/** The robot answers HTTP 200 with `{errcode, errmsg}`. */
export const classifyDingtalk = errcodeClassifier(FREQUENCY_CODES, THROTTLE_MS);
const ROBOT: PaceRule = { key: 'robot', label: '20 messages a minute per robot', limit: 20, windowMs: 60_000 };

/**
 * Posts through the group robot webhook (`robotToken`), signed with the
 * `timestamp` and `sign` query parameters: a text, with the member in
 * `at.atUserIds` and `@id` in the text (DingTalk highlights only a mention
 * that is in the content). A robot cannot DM: with `dmFallback` a DM goes to
 * the robot's group with a mention (the reason is recorded), otherwise it is
 * undeliverable. Paced to the robot's 20 messages a minute.
 */
export class DingtalkSender extends PlatformSender {
  constructor(
    private readonly config: DingtalkConfig,
    private readonly secrets: SecretResolver,
    options: SenderOptions = {},
  ) {
    super('dingtalk', config.apiBaseUrl, DINGTALK_API, options);
  }

  async send(message: ChatMessage, _now?: Date): Promise<SendResult | undefined> {
    return route(
      message,
      {
        post: (mention) => this.post(message, mention),
        missing: this.config.robotToken
          ? undefined
          : 'dingtalk: no group robot configured (set platform.robotToken to send messages)',
        place: 'the robot group',
      },
      { impossible: 'dingtalk: a group robot cannot send DMs' },
    );
  }

  private async post(message: ChatMessage, mention: boolean): Promise<void> {
    const [token, secret] = await Promise.all([
      this.secrets.resolve(this.config.robotToken as string),
      this.secrets.resolve(this.config.appSecret),
    ]);
    await this.pacer.acquire([ROBOT]);
    // Signed at the moment of sending: DingTalk refuses a timestamp more than an hour off.
    const timestamp = this.http.now();
    const query = new URLSearchParams({
      access_token: token,
      timestamp: String(timestamp),
      sign: signDingTalk(secret, String(timestamp)),
    });
    const content = mention ? `@${message.memberId} ${message.text}` : message.text;
    try {
      await this.http.request(
        {
          method: 'POST',
          url: `${this.base}/robot/send?${query}`,
          body: {
            msgtype: 'text',
            text: { content },
            at: { atUserIds: mention ? [message.memberId] : [], isAtAll: false },
          },
          what: 'robot/send',
          secrets: [token, secret],
        },
        classifyDingtalk,
      );
    } catch (error) {
      // A throttled robot stays throttled for 10 minutes; later sends from this process need not ask.
      if (error instanceof RetryLaterError && error.retryAt) this.pacer.hold(ROBOT.key, error.retryAt.getTime());
      throw error;
    }
  }
}

/** The platform's outbound side, as the registry loads it (`../outbound.ts`). */
export const createSender = (platform: DingtalkConfig, secrets: SecretResolver): ChatSender =>
  new DingtalkSender(platform, secrets);
