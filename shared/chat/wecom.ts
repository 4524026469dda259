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

/** The WeCom platform config. */
export type WecomConfig = Extract<CommunityConfig['platform'], { kind: 'wecom' }>;

export const WECOM_API = 'https://qyapi.weixin.qq.com';

/** A robot over its limit is told so in `errcode`; its limit is per minute. */
const FREQUENCY_CODES = new Set([45009, 45033, 130101]);
const ROBOT_WINDOW_MS = 60_000;
const ROBOT: PaceRule = { key: 'robot', label: '20 messages a minute per robot', limit: 20, windowMs: ROBOT_WINDOW_MS };

/** The webhook answers HTTP 200 with `{errcode, errmsg}`: 0 is sent, -1 is "system busy", frequency codes mean wait. */
export function classifyWecom(response: JsonResponse): Outcome {
  const base = classifyHttp(response);
  if (base.kind !== 'ok') return base;
  const { errcode, errmsg } = asRecord(response.body);
  const description = typeof errmsg === 'string' ? errmsg : undefined;
  if (errcode === 0) return { kind: 'ok' };
  if (typeof errcode !== 'number') return { kind: 'transient', description: 'no errcode in the answer' };
  if (FREQUENCY_CODES.has(errcode)) {
    return { kind: 'rate_limited', code: errcode, description, retryAfterMs: ROBOT_WINDOW_MS };
  }
  if (errcode === -1) return { kind: 'transient', code: errcode, description };
  return { kind: 'refused', code: errcode, description };
}

/**
 * Posts through the group robot webhook (`robotKey`): a text, with the member
 * in `mentioned_list` when mentioned. A robot only reaches its own group, so a
 * DM is not possible: with `dmFallback` it goes to the group with a mention
 * (the reason is recorded), otherwise it is undeliverable. Paced to the
 * robot's 20 messages a minute.
 */
export class WecomSender implements ChatSender {
  private readonly http: HttpClient;
  private readonly pacer: Pacer;
  private readonly base: string;

  constructor(
    private readonly config: WecomConfig,
    private readonly secrets: SecretResolver,
    options: SenderOptions = {},
  ) {
    this.http = new HttpClient('wecom', options);
    this.pacer = new Pacer('wecom', options);
    this.base = trimBase(config.apiBaseUrl ?? WECOM_API);
  }

  async send(message: ChatMessage, _now?: Date): Promise<SendResult | undefined> {
    if (!this.config.robotKey) {
      throw new UndeliverableError('wecom: no group robot configured (set platform.robotKey to send messages)');
    }
    if (message.delivery === 'dm') {
      if (!message.dmFallback) {
        throw new UndeliverableError('wecom: DMs are not possible with a group robot, and DM fallback is off');
      }
      await this.post(message, true);
      return { fallback: 'wecom group robots cannot send DMs; posted in the robot group with a mention' };
    }
    await this.post(message, message.mention === true);
    return undefined;
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
