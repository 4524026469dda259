import { commandIn } from '../../domain/events';
import * as z from '../../domain/zod';
import { unauthorized } from '../../runtime/errors';
import { canonicalEvents, expectShape, jsonBody, type RawEvent, secondsToIso, unixSeconds } from '../parsing';
import { safeEqual } from '../signature';
import type { AdapterContext, InboundRequest, ParsedRequest, PlatformAdapter } from '../types';

/**
 * Telegram Bot API webhooks. Telegram signs nothing; it sends back the
 * `secret_token` given to setWebhook in `X-Telegram-Bot-Api-Secret-Token`,
 * compared here in constant time. Each update has an `update_id`, the dedupe
 * key; Telegram retries an update until it gets a 2xx.
 *
 * Joins and leaves come from `chat_member` updates (which carry the invite
 * link the member used, for referrals) or, where the bot is not an admin,
 * from the group's service messages, as the community's config says; never
 * both, or a join would count twice. Reactions are not used: Telegram does
 * not say whose message was reacted to.
 *
 * With `chatId` the community is that group; a command a member sends the bot
 * in a private chat is still taken, with the private chat as its channel.
 */

export const TELEGRAM_SECRET_HEADER = 'x-telegram-bot-api-secret-token';

const user = z.looseObject({
  id: z.number().check(z.int()),
  is_bot: z.optional(z.boolean()),
  first_name: z.optional(z.string()),
  last_name: z.optional(z.string()),
  username: z.optional(z.string()),
  language_code: z.optional(z.string()),
});
type TelegramUser = z.infer<typeof user>;

const chat = z.looseObject({ id: z.number().check(z.int()), type: z.string() });

const message = z.looseObject({
  message_id: z.number().check(z.int()),
  date: unixSeconds,
  chat,
  from: z.optional(user),
  text: z.optional(z.string()),
  caption: z.optional(z.string()),
  message_thread_id: z.optional(z.number().check(z.int())),
  is_topic_message: z.optional(z.boolean()),
  reply_to_message: z.optional(z.looseObject({ message_id: z.number().check(z.int()), from: z.optional(user) })),
  new_chat_members: z.optional(z.array(user)),
  left_chat_member: z.optional(user),
});

const chatMember = z.looseObject({ status: z.string(), user, is_member: z.optional(z.boolean()) });

const update = z.looseObject({
  update_id: z.number().check(z.int(), z.nonnegative()),
  message: z.optional(message),
  chat_member: z.optional(
    z.looseObject({
      chat,
      date: unixSeconds,
      old_chat_member: chatMember,
      new_chat_member: chatMember,
      invite_link: z.optional(z.looseObject({ invite_link: z.string(), name: z.optional(z.string()) })),
    }),
  ),
});

/** The member profile of a Telegram user. */
function profileOf(u: TelegramUser) {
  const name = [u.first_name, u.last_name].filter(Boolean).join(' ') || u.username;
  return {
    id: String(u.id),
    ...(name ? { name } : {}),
    ...(u.is_bot !== undefined ? { isBot: u.is_bot } : {}),
    ...(u.language_code ? { locale: u.language_code } : {}),
  };
}

/** Whether a chat member status means "in the group". */
function isIn(member: z.infer<typeof chatMember>): boolean {
  if (member.status === 'restricted') return member.is_member ?? false;
  return member.status === 'member' || member.status === 'administrator' || member.status === 'creator';
}

/**
 * Whether a message is a command a member sent the bot in their private chat
 * (whose id is theirs). That chat is outside a community limited to one group,
 * but `/start` and `/optout` sent there are for Hearth all the same, and the
 * answer goes back there; other private messages are not community activity.
 */
function isPrivateCommand(msg: z.infer<typeof message>): boolean {
  return (
    msg.chat.type === 'private' && msg.from?.id === msg.chat.id && commandIn(msg.text ?? msg.caption) !== undefined
  );
}

export const adapter: PlatformAdapter = {
  platform: 'telegram',
  acceptsGet: false,

  async verify(request: InboundRequest, { community, secrets }: AdapterContext): Promise<void> {
    if (community.platform.kind !== 'telegram') throw unauthorized('community is not on Telegram', 'platform');
    const token = request.headers[TELEGRAM_SECRET_HEADER];
    if (!token) throw unauthorized('X-Telegram-Bot-Api-Secret-Token is missing', 'X-Telegram-Bot-Api-Secret-Token');
    if (!safeEqual(token, await secrets.resolve(community.platform.secretToken))) {
      throw unauthorized('X-Telegram-Bot-Api-Secret-Token does not match', 'X-Telegram-Bot-Api-Secret-Token');
    }
  },

  parse(request: InboundRequest, { community, now }: AdapterContext): ParsedRequest {
    if (community.platform.kind !== 'telegram') return { events: [] };
    const config = community.platform;
    const { update_id: updateId, message: msg, chat_member: change } = expectShape(update, jsonBody(request.rawBody));
    const inScope = (chatId: number) => config.chatId === undefined || String(chatId) === config.chatId;
    const raw: RawEvent[] = [];
    /** Where a canonical event's fields are, for an actor at `user` in the update. */
    const fields = (occurredAt: string, user: string, extra: Record<string, string> = {}) => ({
      id: 'update_id',
      occurredAt,
      member: user,
      'member.id': `${user}.id`,
      'member.name': `${user}.first_name`,
      'member.locale': `${user}.language_code`,
      ...extra,
    });

    if (change && inScope(change.chat.id) && config.joins === 'chat_member') {
      const wasIn = isIn(change.old_chat_member);
      const nowIn = isIn(change.new_chat_member);
      const member = profileOf(change.new_chat_member.user);
      const base = { id: String(updateId), occurredAt: secondsToIso(change.date), member };
      const sources = fields('chat_member.date', 'chat_member.new_chat_member.user', {
        referralCode: 'chat_member.invite_link.name',
      });
      if (!wasIn && nowIn) {
        const link = change.invite_link;
        raw.push({
          event: { ...base, type: 'member.joined', ...(link ? { referralCode: link.name || link.invite_link } : {}) },
          fields: sources,
        });
      } else if (wasIn && !nowIn) {
        raw.push({ event: { ...base, type: 'member.left' }, fields: sources });
      }
    }

    if (msg && (inScope(msg.chat.id) || isPrivateCommand(msg))) {
      const occurredAt = secondsToIso(msg.date);
      if (msg.new_chat_members || msg.left_chat_member) {
        if (config.joins === 'service_message') {
          (msg.new_chat_members ?? []).forEach((u, i) => {
            raw.push({
              event: { id: `${updateId}:${u.id}`, type: 'member.joined', occurredAt, member: profileOf(u) },
              fields: fields('message.date', `message.new_chat_members.${i}`),
            });
          });
          if (msg.left_chat_member) {
            raw.push({
              event: { id: String(updateId), type: 'member.left', occurredAt, member: profileOf(msg.left_chat_member) },
              fields: fields('message.date', 'message.left_chat_member'),
            });
          }
        }
      } else if (msg.from) {
        // In a forum topic every message answers the topic's first message; that is not a reply to a member.
        const reply = msg.reply_to_message;
        const topicRoot = msg.is_topic_message && reply?.message_id === msg.message_thread_id;
        const replyTo = reply?.from && !topicRoot && reply.from.id !== msg.from.id ? String(reply.from.id) : undefined;
        const text = msg.text ?? msg.caption;
        raw.push({
          event: {
            id: String(updateId),
            type: 'message.posted',
            occurredAt,
            member: profileOf(msg.from),
            channelId: String(msg.chat.id),
            ...(replyTo ? { replyTo, replyToMessage: `${msg.chat.id}:${reply?.message_id}` } : {}),
            ...(text !== undefined ? { text } : {}),
          },
          fields: fields('message.date', 'message.from', {
            channelId: 'message.chat.id',
            replyTo: 'message.reply_to_message.from.id',
            replyToMessage: 'message.reply_to_message.message_id',
            text: msg.text !== undefined ? 'message.text' : 'message.caption',
          }),
        });
      }
    }

    return { events: canonicalEvents(raw, now) };
  },
};
