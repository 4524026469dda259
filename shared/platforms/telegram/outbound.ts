import {
  asRecord,
  classifyHttp,
  describeBody,
  type JsonResponse,
  type Outcome,
  PlatformError,
  type SenderOptions,
} from '../../chat/http';
import type { PaceRule } from '../../chat/pacer';
import { PlatformSender, route } from '../../chat/platform-sender';
import type { ChatMessage, ChatSender, PostedMessage, SendResult } from '../../chat/sender';
import type { SecretResolver } from '../../runtime/secrets';

/** The Telegram platform config. */
export type { TelegramConfig } from './platform';

import type { TelegramConfig } from './platform';

export const TELEGRAM_API = 'https://api.telegram.org';

/**
 * Bot API answers carry `{ok, error_code, description}` and, on 429,
 * `parameters.retry_after` (seconds); the HTTP status matches `error_code`.
 */
export function classifyTelegram(response: JsonResponse): Outcome {
  const outcome = classifyHttp(response);
  if (outcome.kind === 'ok' && asRecord(response.body).ok === false) {
    return { kind: 'refused', ...describeBody(response.body) };
  }
  return outcome;
}

/**
 * A DM the member has not allowed: a bot may not write first (`bot can't
 * initiate conversation`), may be blocked, or has never seen the user
 * (`chat not found`). The group can still reach them.
 */
export function isDmRefusal(error: unknown): error is PlatformError {
  if (!(error instanceof PlatformError)) return false;
  const description = (error.description ?? '').toLowerCase();
  if (error.status === 403) return true;
  return error.status === 400 && description.includes('chat not found');
}

/** A text with a `text_mention` entity over the member's name (offsets in UTF-16 code units, as JS strings count). */
export function withMention(
  text: string,
  member: { id: string; name?: string },
): { text: string; entities?: { type: 'text_mention'; offset: number; length: number; user: object }[] } {
  const name = member.name?.trim() || member.id;
  // A text_mention needs the numeric user id; anything else is left as plain text.
  if (!/^\d+$/.test(member.id)) return { text: text.includes(name) ? text : `${name} ${text}` };
  let offset = text.indexOf(name);
  let out = text;
  if (offset < 0) {
    out = `${name} ${text}`;
    offset = 0;
  }
  const user = { id: Number(member.id), is_bot: false, first_name: name };
  return { text: out, entities: [{ type: 'text_mention', offset, length: name.length, user }] };
}

/**
 * Posts with `sendMessage` to `message.channel` or the config's group
 * (`chatId`); a DM goes to the member's id. A DM the member has not allowed
 * goes to the group with a `text_mention` when `dmFallback`. Paced to one
 * message a second per chat, 20 a minute per group and 30 a second per bot.
 */
export class TelegramSender extends PlatformSender {
  constructor(
    private readonly config: TelegramConfig,
    private readonly secrets: SecretResolver,
    options: SenderOptions = {},
  ) {
    super('telegram', config.apiBaseUrl, TELEGRAM_API, options);
  }

  async send(message: ChatMessage, _now?: Date): Promise<SendResult | undefined> {
    const token = await this.secrets.resolve(this.config.botToken);
    const group = message.channel ?? this.config.chatId;
    return route(
      message,
      {
        post: (mention) =>
          this.sendMessage(
            token,
            group as string,
            mention
              ? withMention(message.text, { id: message.memberId, name: message.memberName })
              : { text: message.text },
          ),
        missing: group ? undefined : 'telegram: no chat to post in (set platform.chatId)',
        place: 'the group',
      },
      {
        send: () => this.sendMessage(token, message.memberId, { text: message.text }),
        refusal: (error) =>
          isDmRefusal(error) ? `telegram DM refused (${error.description ?? `HTTP ${error.status}`})` : undefined,
      },
    );
  }

  /**
   * A link to the group named after `code` (`createChatInviteLink`; the name is at most 32 characters, an
   * 8-character code fits): Telegram puts the link, and so its name, on the `chat_member` update of a join
   * through it. The bot must be an admin allowed to invite users. Undefined without a group to invite to.
   */
  async inviteLink(code: string): Promise<string | undefined> {
    if (!this.config.chatId) return undefined;
    const token = await this.secrets.resolve(this.config.botToken);
    await this.pacer.acquire([{ key: 'bot', label: '30 messages a second per bot', limit: 30, windowMs: 1_000 }]);
    const response = await this.http.request(
      {
        method: 'POST',
        url: `${this.base}/bot${token}/createChatInviteLink`,
        body: { chat_id: this.config.chatId, name: code.slice(0, 32) },
        what: 'createChatInviteLink',
        secrets: [token],
      },
      classifyTelegram,
    );
    const link = asRecord(asRecord(response.body).result).invite_link;
    return typeof link === 'string' ? link : undefined;
  }

  private async sendMessage(
    token: string,
    chatId: string,
    payload: { text: string; entities?: object[] },
  ): Promise<PostedMessage | undefined> {
    const rules: PaceRule[] = [
      { key: `chat:${chatId}`, label: 'one message a second per chat', minIntervalMs: 1_000 },
      { key: 'bot', label: '30 messages a second per bot', limit: 30, windowMs: 1_000 },
    ];
    // Group and supergroup ids are negative; their tighter limit does not apply to DMs.
    if (chatId.startsWith('-')) {
      rules.push({ key: `group:${chatId}`, label: '20 messages a minute per group', limit: 20, windowMs: 60_000 });
    }
    await this.pacer.acquire(rules);
    const response = await this.http.request(
      {
        method: 'POST',
        url: `${this.base}/bot${token}/sendMessage`,
        body: { chat_id: chatId, ...payload },
        what: 'sendMessage',
        secrets: [token],
      },
      classifyTelegram,
    );
    // `<chat>:<message_id>`, as a reply names the message it answers (inbound.ts).
    const result = asRecord(asRecord(response.body).result);
    const chat = asRecord(result.chat).id;
    return typeof result.message_id === 'number' && (typeof chat === 'number' || typeof chat === 'string')
      ? { messageId: `${chat}:${result.message_id}`, channel: String(chat) }
      : undefined;
  }
}

/** The platform's outbound side, as the registry loads it (`../outbound.ts`). */
export const createSender = (platform: TelegramConfig, secrets: SecretResolver): ChatSender =>
  new TelegramSender(platform, secrets);
