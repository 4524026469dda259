import { birthdaySchema, idSchema, timeZoneSchema } from './validation';
import * as z from './zod';

/**
 * Canonical inbound events. Every platform's parser produces these; the generic
 * webhook accepts them as they are (docs/contract.md). Unknown fields are
 * dropped (sources add fields over time); known fields of the wrong shape are
 * rejected, naming the field.
 */

export const INBOUND_EVENT_TYPES = [
  'member.joined',
  'member.left',
  'message.posted',
  'reaction.added',
  'member.updated',
] as const;

/** How sure a referral attribution is (docs/contract.md). */
export const REFERRAL_CONFIDENCES = ['exact', 'probable', 'declared'] as const;
export type ReferralConfidence = (typeof REFERRAL_CONFIDENCES)[number];

const memberSchema = z.object({
  id: idSchema,
  name: z.optional(z.string().check(z.maxLength(200))),
  birthday: z.optional(birthdaySchema),
  timezone: z.optional(timeZoneSchema),
  locale: z.optional(z.string().check(z.minLength(2), z.maxLength(35))),
  isBot: z.optional(z.boolean()),
  isStaff: z.optional(z.boolean()),
});

const base = {
  id: z.string().check(z.minLength(1), z.maxLength(256)),
  occurredAt: z.iso.datetime({ offset: true }),
  member: memberSchema,
};

export const inboundEventSchema = z.discriminatedUnion('type', [
  z.object({
    ...base,
    type: z.literal('member.joined'),
    /** A Hearth invite code (or the platform's code for the link or entry point the member came through). */
    referralCode: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
    /** The member the platform names as the inviter (Slack's `inviter`, Feishu's operator, Discord's invite). */
    invitedBy: z.optional(idSchema),
    /** How sure the attribution is: `exact` for a code, `declared` for a named inviter, `probable` for a guess. */
    referralConfidence: z.optional(z.enum(REFERRAL_CONFIDENCES)),
  }),
  z.object({ ...base, type: z.literal('member.left') }),
  z.object({
    ...base,
    type: z.literal('message.posted'),
    channelId: z.string().check(z.minLength(1), z.maxLength(256)),
    replyTo: z.optional(idSchema),
    /** The platform's id of the message replied to: a reply credits its author once per message. */
    replyToMessage: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
    // Used only to recognise commands; never stored or logged.
    text: z.optional(z.string().check(z.maxLength(40_000))),
  }),
  z.object({
    ...base,
    type: z.literal('reaction.added'),
    toMemberId: idSchema,
    /** The platform's id of the message reacted to: a reaction credits its author once per message. */
    messageId: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
  }),
  z.object({ ...base, type: z.literal('member.updated') }),
]);

/** An inbound event as validated. */
export type InboundEvent = z.infer<typeof inboundEventSchema>;
export type InboundEventType = InboundEvent['type'];
/** What an event says about its actor. */
export type MemberProfile = z.infer<typeof memberSchema>;

/** A command in a message (`/birthday 03-14`, `/start@HearthBot`), for Hearth or for another bot. */
export interface Command {
  /** Lower-cased. */
  name: string;
  args: string[];
  /**
   * The bot the command names, without the `@` (`HearthBot` in `/start@HearthBot`), as written.
   * In a Telegram group it tells one bot's `/start` from another's; absent when the command names no bot.
   */
  addressee?: string;
}

/**
 * Recognise a command in a message's text; the text itself is not kept. A
 * mention of the bot before it is skipped: in a group, Feishu and DingTalk
 * deliver only messages that @-mention the bot (`@_user_1 /points`), and Slack
 * writes a mention as `<@U0HEARTH>`. A `@BotName` suffix is kept as the
 * addressee; whether the command is Hearth's is `interpretCommand`'s call.
 */
export function commandIn(text: string | undefined): Command | undefined {
  if (!text) return undefined;
  const line = text.trim().replace(/^(?:(?:<@[A-Z0-9]+>|@\S+)\s+)+/, '');
  const match = /^\/([a-z][a-z0-9_]{0,31})(?:@(\S+))?(?:\s+(.*))?$/is.exec(line);
  if (!match) return undefined;
  const [, name, addressee, rest] = match;
  return {
    name: name.toLowerCase(),
    args: rest ? rest.trim().split(/\s+/) : [],
    ...(addressee !== undefined ? { addressee } : {}),
  };
}

/** How an event changes its actor's counts on its day. */
export interface ActivityDelta {
  messages: number;
  replies: number;
  reactions: number;
  joins: number;
  leaves: number;
}

/**
 * The counts an event adds. A reply is a message with a reply target; commands
 * addressed to Hearth and joins are not activity (docs/kpis.md).
 */
export function activityDelta(event: InboundEvent): ActivityDelta {
  const delta: ActivityDelta = { messages: 0, replies: 0, reactions: 0, joins: 0, leaves: 0 };
  switch (event.type) {
    case 'message.posted':
      if (commandIn(event.text)) break;
      delta.messages = 1;
      if (event.replyTo) delta.replies = 1;
      break;
    case 'reaction.added':
      delta.reactions = 1;
      break;
    case 'member.joined':
      delta.joins = 1;
      break;
    case 'member.left':
      delta.leaves = 1;
      break;
    case 'member.updated':
      break;
  }
  return delta;
}

/** Whether counts (an event's delta, or a day row) are activity: they count toward DAU/WAU/MAU. */
export const isActivity = (counts: { messages?: number; reactions?: number }): boolean =>
  (counts.messages ?? 0) + (counts.reactions ?? 0) > 0;

/** Events more than this far in the future are refused. */
export const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;
