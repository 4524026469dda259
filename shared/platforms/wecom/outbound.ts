import { asRecord, errcodeClassifier, PlatformError, type SenderOptions } from '../../chat/http';
import type { PaceRule } from '../../chat/pacer';
import { AccessToken, PlatformSender, route } from '../../chat/platform-sender';
import {
  type ChatMessage,
  type ChatSender,
  RetryLaterError,
  type SendResult,
  UndeliverableError,
} from '../../chat/sender';
import type { SecretResolver } from '../../runtime/secrets';

/** The WeCom platform config. */
export type { WecomConfig } from './platform';

import type { WecomConfig } from './platform';

export const WECOM_API = 'https://qyapi.weixin.qq.com';

/** A robot over its limit is told so in `errcode`; its limit is per minute. */
const FREQUENCY_CODES = new Set([45009, 45033, 130101]);
const ROBOT_WINDOW_MS = 60_000;
/** The webhook and the app API answer HTTP 200 with `{errcode, errmsg}`; a robot over its limit waits a minute. */
export const classifyWecom = errcodeClassifier(FREQUENCY_CODES, ROBOT_WINDOW_MS);
const ROBOT: PaceRule = { key: 'robot', label: '20 messages a minute per robot', limit: 20, windowMs: ROBOT_WINDOW_MS };

/** An access token WeCom no longer accepts: fetch a new one and try once more. */
const TOKEN_CODES = new Set([40014, 42001]);

/**
 * Posts through the group robot webhook (`robotKey`): a text, with the member
 * in `mentioned_list` when mentioned; paced to the robot's 20 messages a
 * minute. A robot only reaches its own group: a DM goes as an app message
 * (`message/send` with an access token from `corpId` and `corpSecret`, to the
 * member as `touser`) when the app's `agentId` and `corpSecret` are set;
 * without them, with `dmFallback` it goes to the group with a mention (the
 * reason is recorded), otherwise it is undeliverable.
 */
export class WecomSender extends PlatformSender {
  private readonly token: AccessToken;

  constructor(
    private readonly config: WecomConfig,
    private readonly secrets: SecretResolver,
    options: SenderOptions = {},
  ) {
    super('wecom', config.apiBaseUrl, WECOM_API, options);
    this.token = new AccessToken(this.http.now, () => this.appToken());
  }

  async send(message: ChatMessage, _now?: Date): Promise<SendResult | undefined> {
    const asApp = this.config.agentId !== undefined && this.config.corpSecret !== undefined;
    return route(
      message,
      {
        post: (mention) => this.post(message, mention),
        missing: this.config.robotKey
          ? undefined
          : 'wecom: no group robot configured (set platform.robotKey to send messages)',
        place: 'the robot group',
      },
      asApp
        ? { send: () => this.sendAsApp(message), refusal: () => undefined }
        : { impossible: 'wecom: a group robot cannot send DMs (set platform.agentId and corpSecret)' },
    );
  }

  /** A DM as an app message; an access token WeCom refuses is fetched again once. */
  private async sendAsApp(message: ChatMessage): Promise<void> {
    await this.token.use(
      (token) =>
        this.http.request(
          {
            method: 'POST',
            url: `${this.base}/cgi-bin/message/send?access_token=${encodeURIComponent(token)}`,
            body: {
              touser: message.memberId,
              msgtype: 'text',
              agentid: this.config.agentId,
              text: { content: message.text },
            },
            what: 'message/send',
            secrets: [token],
          },
          classifyWecom,
        ),
      (error) => error instanceof PlatformError && TOKEN_CODES.has(error.code as number),
    );
  }

  /** A new access token from `gettoken`. */
  private async appToken(): Promise<{ value: string; lifetimeMs: number }> {
    const secret = await this.secrets.resolve(this.config.corpSecret as string);
    const corpId = await this.secrets.resolve(this.config.corpId);
    const response = await this.http.request(
      {
        method: 'GET',
        url: `${this.base}/cgi-bin/gettoken?corpid=${encodeURIComponent(corpId)}&corpsecret=${encodeURIComponent(secret)}`,
        what: 'gettoken',
        secrets: [secret],
      },
      classifyWecom,
    );
    const body = asRecord(response.body);
    if (typeof body.access_token !== 'string') throw new UndeliverableError('wecom: gettoken answer had no token');
    return {
      value: body.access_token,
      lifetimeMs: (typeof body.expires_in === 'number' ? body.expires_in : 7200) * 1000,
    };
  }

  private async post(message: ChatMessage, mention: boolean): Promise<void> {
    const key = await this.secrets.resolve(this.config.robotKey as string);
    await this.pacer.acquire([ROBOT]);
    try {
      await this.http.request(
        {
          method: 'POST',
          url: `${this.base}/cgi-bin/webhook/send?key=${encodeURIComponent(key)}`,
          body: {
            msgtype: 'text',
            text: mention ? { content: message.text, mentioned_list: [message.memberId] } : { content: message.text },
          },
          what: 'webhook/send',
          secrets: [key],
        },
        classifyWecom,
      );
    } catch (error) {
      // Over the minute's quota: later sends from this process would be refused too.
      if (error instanceof RetryLaterError && error.retryAt) this.pacer.hold(ROBOT.key, error.retryAt.getTime());
      throw error;
    }
  }
}

/** The platform's outbound side, as the registry loads it (`../outbound.ts`). */
export const createSender = (platform: WecomConfig, secrets: SecretResolver): ChatSender =>
  new WecomSender(platform, secrets);
