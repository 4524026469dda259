import {
  asRecord,
  classifyHttp,
  describeBody,
  idempotencyKey,
  type JsonResponse,
  type Outcome,
  PlatformError,
  retryAfterHeaderMs,
  type SenderOptions,
} from '../../chat/http';
import { AccessToken, PlatformSender, route } from '../../chat/platform-sender';
import { type ChatMessage, type ChatSender, type SendResult, UndeliverableError } from '../../chat/sender';
import type { SecretResolver } from '../../runtime/secrets';

/** The Feishu/Lark platform config. */
export type { FeishuConfig } from './platform';

import type { FeishuConfig } from './platform';

export const FEISHU_API = 'https://open.feishu.cn';

/** 99991400: the gateway's "request trigger frequency limit"; 230020: the per-chat/per-user message limit. */
const RATE_CODES = new Set([99991400, 230020]);
/** The tenant_access_token is missing, invalid or expired: fetch a new one and try once more. */
const TOKEN_CODES = new Set([99991661, 99991663, 99991668]);
/** 230013: the member is outside the bot's availability, so no DM; the group can still reach them. */
const DM_REFUSED = new Set([230013]);

/**
 * Open API answers carry `{code, msg}`, 0 being success, with HTTP 200 or
 * 400; limits come as HTTP 429 (older APIs: 400) with code 99991400 and the
 * wait in `x-ogw-ratelimit-reset` (seconds).
 */
export function classifyFeishu(response: JsonResponse): Outcome {
  const { code, description } = describeBody(response.body);
  if (typeof code === 'number' && RATE_CODES.has(code)) {
    const reset = Number(response.headers.get('x-ogw-ratelimit-reset') ?? Number.NaN);
    const retryAfterMs = reset > 0 ? reset * 1000 : retryAfterHeaderMs(response.headers);
    return { kind: 'rate_limited', code, description, retryAfterMs };
  }
  const base = classifyHttp(response);
  if (base.kind !== 'ok') return base;
  if (asRecord(response.body).code === 0) return { kind: 'ok' };
  return { kind: 'refused', code, description };
}

/**
 * Sends as the app's bot: a `tenant_access_token` from the app id and secret
 * (cached until shortly before it expires), then `im/v1/messages` with a text
 * to the group (`receive_id_type=chat_id`, `message.channel` or the config's
 * `chatId`) or to the member (`open_id`). A mention is an `<at>` tag in the
 * text. The outbox id goes as `uuid`, so a retried send posts once. A DM to a
 * member outside the bot's availability goes to the group with a mention when
 * `dmFallback`. Paced to Feishu's 5 a second per chat or user and 50 a second per app.
 */
export class FeishuSender extends PlatformSender {
  private readonly token: AccessToken;

  constructor(
    private readonly config: FeishuConfig,
    private readonly secrets: SecretResolver,
    options: SenderOptions = {},
  ) {
    super('feishu', config.apiBaseUrl, FEISHU_API, options);
    this.token = new AccessToken(this.http.now, () => this.tenantToken());
  }

  async send(message: ChatMessage, _now?: Date): Promise<SendResult | undefined> {
    const group = message.channel ?? this.config.chatId;
    return route(
      message,
      {
        post: (withMention) =>
          this.create(message.id, 'chat_id', group as string, withMention ? mention(message) : message.text),
        missing: group ? undefined : 'feishu: no group chat to post in (set platform.chatId)',
        place: 'the group',
      },
      {
        send: () => this.create(message.id, 'open_id', message.memberId, message.text),
        refusal: (error) =>
          error instanceof PlatformError && DM_REFUSED.has(Number(error.code))
            ? `feishu DM refused (code ${error.code})`
            : undefined,
      },
    );
  }

  private async create(id: string, type: 'chat_id' | 'open_id', receiver: string, text: string): Promise<void> {
    await this.pacer.acquire([
      { key: `${type}:${receiver}`, label: '5 messages a second per chat or user', limit: 5, windowMs: 1_000 },
      { key: 'app', label: '50 requests a second per app', limit: 50, windowMs: 1_000 },
    ]);
    await this.token.use(
      (token) =>
        this.http.request(
          {
            method: 'POST',
            url: `${this.base}/open-apis/im/v1/messages?receive_id_type=${type}`,
            headers: { authorization: `Bearer ${token}` },
            // The same outbox item in the same chat (a DM and its fallback differ in receiver) posts once an hour at most.
            body: {
              receive_id: receiver,
              msg_type: 'text',
              content: JSON.stringify({ text }),
              uuid: idempotencyKey(`${id}|${receiver}`, 50),
            },
            what: 'im/v1/messages',
            secrets: [token],
          },
          classifyFeishu,
        ),
      (error) => error instanceof PlatformError && TOKEN_CODES.has(Number(error.code)),
    );
  }

  /** A new tenant_access_token from the app id and secret. */
  private async tenantToken(): Promise<{ value: string; lifetimeMs: number }> {
    const [appId, appSecret] = await Promise.all([
      this.secrets.resolve(this.config.appId),
      this.secrets.resolve(this.config.appSecret),
    ]);
    const response = await this.http.request(
      {
        method: 'POST',
        url: `${this.base}/open-apis/auth/v3/tenant_access_token/internal`,
        body: { app_id: appId, app_secret: appSecret },
        what: 'tenant_access_token',
        secrets: [appSecret],
      },
      classifyFeishu,
    );
    const body = asRecord(response.body);
    const value = body.tenant_access_token;
    if (typeof value !== 'string' || value === '') {
      throw new UndeliverableError('feishu: tenant_access_token answer had no token');
    }
    return { value, lifetimeMs: (typeof body.expire === 'number' ? body.expire : 0) * 1000 };
  }
}

/** The text with an `<at>` tag for the member first (Feishu notifies them and shows their name). */
function mention(message: ChatMessage): string {
  const name = (message.memberName ?? message.memberId).replace(/[<>]/g, '');
  return `<at user_id="${message.memberId.replace(/"/g, '')}">${name}</at> ${message.text}`;
}

/** The platform's outbound side, as the registry loads it (`../outbound.ts`). */
export const createSender = (platform: FeishuConfig, secrets: SecretResolver): ChatSender =>
  new FeishuSender(platform, secrets);
