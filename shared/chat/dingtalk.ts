import { createHmac } from 'node:crypto';
import type { CommunityConfig } from '../domain/config';
import type { SecretResolver } from '../runtime/secrets';
import {
  asRecord,
  classifyHttp,
  HttpClient,
  type JsonResponse,
  type Outcome,
  type SenderOptions,
  trimBase,
} from './http';
import { type PaceRule, Pacer } from './pacer';
import { type ChatMessage, type ChatSender, RetryLaterError, type SendResult, UndeliverableError } from './sender';

/** The DingTalk platform config. */
export type DingtalkConfig = Extract<CommunityConfig['platform'], { kind: 'dingtalk' }>;

export const DINGTALK_API = 'https://oapi.dingtalk.com';

/**
 * Over 20 a minute a robot is throttled for 10 minutes (130101 "send too
 * fast"); 130102 and 410100 are the other "too fast" answers.
 */
const FREQUENCY_CODES = new Set([130101, 130102, 410100]);
const THROTTLE_MS = 10 * 60_000;
const ROBOT: PaceRule = { key: 'robot', label: '20 messages a minute per robot', limit: 20, windowMs: 60_000 };

/** The robot answers HTTP 200 with `{errcode, errmsg}`: 0 is sent, -1 is "system busy". */
export function classifyDingtalk(response: JsonResponse): Outcome {
  const base = classifyHttp(response);
  if (base.kind !== 'ok') return base;
  const { errcode, errmsg } = asRecord(response.body);
  const description = typeof errmsg === 'string' ? errmsg : undefined;
  if (errcode === 0) return { kind: 'ok' };
  if (typeof errcode !== 'number') return { kind: 'transient', description: 'no errcode in the answer' };
  if (FREQUENCY_CODES.has(errcode))
    return { kind: 'rate_limited', code: errcode, description, retryAfterMs: THROTTLE_MS };
  if (errcode === -1) return { kind: 'transient', code: errcode, description };
  return { kind: 'refused', code: errcode, description };
}

/** DingTalk's signature: base64(HMAC-SHA256(secret, `${timestamp}\n${secret}`)); the caller URL-encodes it. */
export function signDingtalkRobot(secret: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
}

/**
 * Posts through the group robot webhook (`robotToken`), signed with the
 * `timestamp` and `sign` query parameters: a text, with the member in
 * `at.atUserIds` and `@id` in the text (DingTalk highlights only a mention
 * that is in the content). A robot cannot DM: with `dmFallback` a DM goes to
 * the robot's group with a mention (the reason is recorded), otherwise it is
 * undeliverable. Paced to the robot's 20 messages a minute.
 */
export class DingtalkSender implements ChatSender {
  private readonly http: HttpClient;
  private readonly pacer: Pacer;
  private readonly base: string;

  constructor(
    private readonly config: DingtalkConfig,
    private readonly secrets: SecretResolver,
    options: SenderOptions = {},
  ) {
    this.http = new HttpClient('dingtalk', options);
    this.pacer = new Pacer('dingtalk', options);
    this.base = trimBase(config.apiBaseUrl ?? DINGTALK_API);
  }

  async send(message: ChatMessage, _now?: Date): Promise<SendResult | undefined> {
    if (!this.config.robotToken) {
      throw new UndeliverableError('dingtalk: no group robot configured (set platform.robotToken to send messages)');
    }
    if (message.delivery === 'dm') {
      if (!message.dmFallback) {
        throw new UndeliverableError('dingtalk: DMs are not possible with a group robot, and DM fallback is off');
      }
      await this.post(message, true);
      return { fallback: 'dingtalk group robots cannot send DMs; posted in the robot group with a mention' };
    }
    await this.post(message, message.mention === true);
    return undefined;
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
      sign: signDingtalkRobot(secret, timestamp),
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
