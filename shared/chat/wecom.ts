import type { CommunityConfig } from '../domain/config';
import type { SecretResolver } from '../runtime/secrets';
import {
  asRecord,
  classifyHttp,
  HttpClient,
  type JsonResponse,
  type Outcome,
  PlatformError,
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

/** An access token WeCom no longer accepts: fetch a new one and try once more. */
const TOKEN_CODES = new Set([40014, 42001]);
/** Refresh the access token this long before WeCom says it expires. */
const TOKEN_MARGIN_MS = 5 * 60_000;

/**
 * Posts through the group robot webhook (`robotKey`): a text, with the member
 * in `mentioned_list` when mentioned; paced to the robot's 20 messages a
 * minute. A robot only reaches its own group: a DM goes as an app message
 * (`message/send` with an access token from `corpId` and `corpSecret`, to the
 * member as `touser`) when the app's `agentId` and `corpSecret` are set;
 * without them, with `dmFallback` it goes to the group with a mention (the
 * reason is recorded), otherwise it is undeliverable.
 */
export class WecomSender implements ChatSender {
  private readonly http: HttpClient;
  private readonly pacer: Pacer;
  private readonly base: string;
  private token?: { value: string; until: number };

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
    if (message.delivery === 'dm' && this.config.agentId !== undefined && this.config.corpSecret) {
      await this.sendAsApp(message);
      return undefined;
    }
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

  /** A DM as an app message; an access token WeCom refuses is fetched again once. */
  private async sendAsApp(message: ChatMessage): Promise<void> {
    for (let fresh = false; ; fresh = true) {
      const token = await this.accessToken(fresh);
      try {
        await this.http.request(
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
        );
        return;
      } catch (error) {
        if (fresh || !(error instanceof PlatformError) || !TOKEN_CODES.has(error.code as number)) throw error;
      }
    }
  }

  /** The cached access token, or a new one from `gettoken`. */
  private async accessToken(fresh: boolean): Promise<string> {
    if (!fresh && this.token && this.token.until > this.http.now()) return this.token.value;
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
    const lifetimeMs = (typeof body.expires_in === 'number' ? body.expires_in : 7200) * 1000;
    this.token = { value: body.access_token, until: this.http.now() + lifetimeMs - TOKEN_MARGIN_MS };
    return this.token.value;
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
