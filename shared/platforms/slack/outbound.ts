import {
  asRecord,
  classifyHttp,
  type JsonResponse,
  type Outcome,
  PlatformError,
  retryAfterHeaderMs,
  type SenderOptions,
} from '../../chat/http';
import { PlatformSender, route } from '../../chat/platform-sender';
import {
  type ChatMessage,
  type ChatSender,
  type PostedMessage,
  type SendResult,
  UndeliverableError,
} from '../../chat/sender';
import type { SecretResolver } from '../../runtime/secrets';

/** The Slack platform config. */
export type { SlackConfig } from './platform';

import type { SlackConfig } from './platform';

export const SLACK_API = 'https://slack.com/api';

/** Slack `error` values that are a moment's trouble on Slack's side. */
const TRANSIENT = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);
/** Errors of a DM that are about the member, not the bot: the channel may still reach them. */
const DM_REFUSED = new Set([
  'user_not_found',
  'user_not_visible',
  'user_disabled',
  'cannot_dm_bot',
  'messages_tab_disabled',
]);

/**
 * Slack answers most errors with HTTP 200 and `{ok: false, error}`; `ratelimited`
 * is a 429 by another name (Retry-After may still be set).
 */
export function classifySlack(response: JsonResponse): Outcome {
  const body = asRecord(response.body);
  const base = classifyHttp(response);
  if (base.kind !== 'ok') return base;
  if (body.ok === true) return { kind: 'ok' };
  const error = typeof body.error === 'string' ? body.error : 'unknown_error';
  if (error === 'ratelimited' || error === 'rate_limited') {
    return { kind: 'rate_limited', code: error, retryAfterMs: retryAfterHeaderMs(response.headers) };
  }
  if (TRANSIENT.has(error)) return { kind: 'transient', code: error };
  return { kind: 'refused', code: error };
}

/**
 * Posts with `chat.postMessage` (bot token, JSON) to `message.channel` or the
 * config's channel; a DM first opens the conversation with
 * `conversations.open`. Paced to one message a second per channel.
 */
export class SlackSender extends PlatformSender {
  /** Member id → DM channel id; conversations.open returns the same channel every time. */
  private readonly dmChannels = new Map<string, string>();

  constructor(
    private readonly config: SlackConfig,
    private readonly secrets: SecretResolver,
    options: SenderOptions = {},
  ) {
    super('slack', config.apiBaseUrl, SLACK_API, options);
  }

  async send(message: ChatMessage, _now?: Date): Promise<SendResult | undefined> {
    const token = await this.secrets.resolve(this.config.botToken);
    const channel = message.channel ?? this.config.channel;
    return route(
      message,
      {
        post: (withMention) => this.post(token, channel as string, withMention ? mention(message) : message.text),
        missing: channel ? undefined : 'slack: no channel to post in (set platform.channel)',
        place: 'the channel',
      },
      {
        send: async () => this.post(token, await this.openDm(token, message.memberId), message.text),
        refusal: (error) =>
          error instanceof PlatformError && DM_REFUSED.has(String(error.code))
            ? `slack DM refused (${error.code})`
            : undefined,
      },
    );
  }

  private async openDm(token: string, memberId: string): Promise<string> {
    const cached = this.dmChannels.get(memberId);
    if (cached) return cached;
    const response = await this.http.request(
      {
        method: 'POST',
        url: `${this.base}/conversations.open`,
        headers: { authorization: `Bearer ${token}` },
        body: { users: memberId },
        what: 'conversations.open',
        secrets: [token],
      },
      classifySlack,
    );
    const id = asRecord(asRecord(response.body).channel).id;
    if (typeof id !== 'string') throw new UndeliverableError('slack: conversations.open returned no channel');
    this.dmChannels.set(memberId, id);
    return id;
  }

  private async post(token: string, channel: string, text: string): Promise<PostedMessage | undefined> {
    await this.pacer.acquire([
      { key: `channel:${channel}`, label: 'one message a second per channel', minIntervalMs: 1_000 },
    ]);
    const response = await this.http.request(
      {
        method: 'POST',
        url: `${this.base}/chat.postMessage`,
        headers: { authorization: `Bearer ${token}` },
        body: { channel, text },
        what: 'chat.postMessage',
        secrets: [token],
      },
      classifySlack,
    );
    // `<channel>:<ts>`, as a reply's thread and a reaction's item name it (inbound.ts).
    const body = asRecord(response.body);
    return typeof body.ts === 'string' && typeof body.channel === 'string'
      ? { messageId: `${body.channel}:${body.ts}`, channel: body.channel }
      : undefined;
  }
}

/** The text with the member mentioned first (`<@U…>` notifies them). */
const mention = (message: ChatMessage): string => `<@${message.memberId}> ${message.text}`;

/** The platform's outbound side, as the registry loads it (`../outbound.ts`). */
export const createSender = (platform: SlackConfig, secrets: SecretResolver): ChatSender =>
  new SlackSender(platform, secrets);
