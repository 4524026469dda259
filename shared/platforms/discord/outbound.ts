import {
  asRecord,
  classifyHttp,
  idempotencyKey,
  type JsonRequest,
  type JsonResponse,
  type Outcome,
  PlatformError,
  type SenderOptions,
} from '../../chat/http';
import type { PaceRule } from '../../chat/pacer';
import { PlatformSender, route } from '../../chat/platform-sender';
import {
  type ChatMessage,
  type ChatSender,
  type PostedMessage,
  type SendResult,
  UndeliverableError,
} from '../../chat/sender';
import type { SecretResolver } from '../../runtime/secrets';

/** The Discord platform config. */
export type { DiscordConfig } from './platform';

import type { DiscordConfig } from './platform';

export const DISCORD_API = 'https://discord.com/api/v10';
/** Discord asks every HTTP client to name itself this way. */
export const USER_AGENT = 'DiscordBot (hearth, 0.1.0)';
/** JSON error code 50007: "Cannot send messages to this user" (DMs closed, no shared server, blocked). */
const CANNOT_DM = 50007;
const BOT: PaceRule = { key: 'bot', label: '50 requests a second per bot', limit: 50, windowMs: 1_000 };

/**
 * Errors are `{code, message}` with the HTTP status; a 429 carries
 * `retry_after` (float seconds) in the body, `Retry-After` in the headers, and
 * `global` when the whole bot is limited.
 */
export function classifyDiscord(response: JsonResponse): Outcome {
  const outcome = classifyHttp(response);
  if (outcome.kind !== 'rate_limited') return outcome;
  // The body's float is more precise than the header's whole seconds.
  const body = asRecord(response.body);
  const retryAfter = typeof body.retry_after === 'number' ? Math.ceil(body.retry_after * 1000) : undefined;
  return {
    ...outcome,
    retryAfterMs: retryAfter ?? outcome.retryAfterMs,
    code: body.global === true ? 'global' : outcome.code,
  };
}

/**
 * Posts with `POST /channels/{id}/messages` (bot token) to `message.channel`
 * or the config's `channelId`; a DM opens the member's DM channel first
 * (`POST /users/@me/channels`). A DM refused with 50007 goes to the channel
 * with a `<@id>` mention when `dmFallback`. A slash-command reply
 * (`interactionToken`) edits the deferred original response through the
 * interaction webhook (no bot token); once the token has expired (404 after
 * 15 minutes) it is delivered as an ordinary message instead. Only the
 * member is ever pinged (`allowed_mentions`), and each post carries a nonce
 * derived from the outbox id so a retried post is not duplicated. Paced to 5
 * messages per 5 s per channel and 50 requests a second per bot; a global
 * 429 holds every send from this bot.
 */
export class DiscordSender extends PlatformSender {
  /** Member id → DM channel id. */
  private readonly dmChannels = new Map<string, string>();

  constructor(
    private readonly config: DiscordConfig,
    private readonly secrets: SecretResolver,
    options: SenderOptions = {},
  ) {
    super('discord', config.apiBaseUrl, DISCORD_API, options);
  }

  async send(message: ChatMessage, _now?: Date): Promise<SendResult | undefined> {
    if (message.interactionToken) {
      try {
        await this.editOriginal(message, message.interactionToken);
        return undefined;
      } catch (error) {
        // 404 Unknown Webhook (10015) or 401 Invalid Webhook Token (50027): the 15 minutes are over.
        if (!(error instanceof PlatformError && (error.status === 404 || error.status === 401))) throw error;
      }
    }
    const token = await this.secrets.resolve(this.config.botToken);
    const channel = message.channel ?? this.config.channelId;
    return route(
      message,
      {
        post: (mention) => this.post(token, channel as string, message, mention),
        missing: channel ? undefined : 'discord: no channel to post in (set platform.channelId)',
        place: 'the channel',
      },
      {
        send: async () => this.post(token, await this.openDm(token, message.memberId), message, false),
        refusal: (error) =>
          error instanceof PlatformError && Number(error.code) === CANNOT_DM
            ? `discord DM refused (code ${CANNOT_DM}: cannot send messages to this user)`
            : undefined,
      },
    );
  }

  /** Edit the deferred reply; the token is in the path, so the what names no path. */
  private async editOriginal(message: ChatMessage, interactionToken: string): Promise<void> {
    await this.pacer.acquire([BOT]);
    await this.call({
      method: 'PATCH',
      url: `${this.base}/webhooks/${this.config.applicationId}/${encodeURIComponent(interactionToken)}/messages/@original`,
      headers: { 'user-agent': USER_AGENT },
      body: { content: message.text, allowed_mentions: { parse: [], users: [message.memberId] } },
      what: 'edit interaction response',
      secrets: [interactionToken],
    });
  }

  private async openDm(token: string, memberId: string): Promise<string> {
    const cached = this.dmChannels.get(memberId);
    if (cached) return cached;
    await this.pacer.acquire([BOT]);
    const response = await this.call({
      method: 'POST',
      url: `${this.base}/users/@me/channels`,
      headers: this.authHeaders(token),
      body: { recipient_id: memberId },
      what: 'create DM',
      secrets: [token],
    });
    const id = asRecord(response.body).id;
    if (typeof id !== 'string') throw new UndeliverableError('discord: create DM returned no channel');
    this.dmChannels.set(memberId, id);
    return id;
  }

  private async post(
    token: string,
    channel: string,
    message: ChatMessage,
    mention: boolean,
  ): Promise<PostedMessage | undefined> {
    await this.pacer.acquire([
      { key: `channel:${channel}`, label: '5 messages per 5 s per channel', limit: 5, windowMs: 5_000 },
      BOT,
    ]);
    const response = await this.call({
      method: 'POST',
      url: `${this.base}/channels/${encodeURIComponent(channel)}/messages`,
      headers: this.authHeaders(token),
      body: {
        content: mention ? `<@${message.memberId}> ${message.text}` : message.text,
        // Templates may contain @everyone or role mentions by accident; only the member is pinged.
        allowed_mentions: { parse: [], users: mention ? [message.memberId] : [] },
        nonce: idempotencyKey(`${message.id}|${channel}`, 25),
        enforce_nonce: true,
      },
      what: 'create message',
      secrets: [token],
    });
    // The snowflake, as a reply's reference and a reaction name the message (relay/relay.ts).
    const id = asRecord(response.body).id;
    return typeof id === 'string' ? { messageId: id, channel } : undefined;
  }

  /** One request; a global rate limit holds every later send of this bot in this process. */
  private call(request: JsonRequest): Promise<JsonResponse> {
    return this.http.request(request, (response) => {
      const outcome = classifyDiscord(response);
      if (outcome.kind === 'rate_limited' && outcome.code === 'global') {
        this.pacer.hold(BOT.key, this.http.now() + (outcome.retryAfterMs ?? 1_000));
      }
      return outcome;
    });
  }

  private authHeaders(token: string): Record<string, string> {
    return { authorization: `Bot ${token}`, 'user-agent': USER_AGENT };
  }
}

/** The platform's outbound side, as the registry loads it (`../outbound.ts`). */
export const createSender = (platform: DiscordConfig, secrets: SecretResolver): ChatSender =>
  new DiscordSender(platform, secrets);
