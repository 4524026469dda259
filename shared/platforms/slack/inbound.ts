import { timeZoneSchema } from '../../domain/validation';
import * as z from '../../domain/zod';
import { unauthorized } from '../../runtime/errors';
import { canonicalEvents, expectShape, jsonBody, type RawEvent, secondsToIso, unixSeconds } from '../parsing';
import { hmacSha256Hex, isFresh, safeEqual } from '../signature';
import type { AdapterContext, InboundRequest, ParsedRequest, PlatformAdapter } from '../types';

/**
 * Slack Events API and slash commands. Requests are signed
 * `X-Slack-Signature: v0=hex(HMAC-SHA256(signingSecret, "v0:" + X-Slack-Request-Timestamp + ":" + body))`
 * and refused when the timestamp is more than 300 s off. The URL is verified
 * once with a `url_verification` request whose `challenge` is echoed. Every
 * callback carries an `event_id`, the dedupe key; Slack retries (with
 * `X-Slack-Retry-Num`) until it gets a 2xx within 3 s, and a retry of an
 * applied event is a duplicate like any other.
 *
 * A slash command (`/hearth birthday 03-14`, or `/birthday 03-14` where the app
 * registers one command per name) arrives form-encoded, signed the same way;
 * its `trigger_id` is its dedupe key (Slack does not retry commands). It is
 * acknowledged with an empty 200, which shows the member nothing; the answer
 * follows through the outbox, in their DMs.
 */

export const SLACK_TOLERANCE_SECONDS = 300;

/** Build `X-Slack-Signature` (for tests and local tools). */
export function signSlack(signingSecret: string, timestamp: number, rawBody: string): string {
  return `v0=${hmacSha256Hex(signingSecret, `v0:${timestamp}:${rawBody}`)}`;
}

// Envelopes: only what Hearth reads is described; Slack adds fields over time.
const slackUser = z.looseObject({
  id: z.string(),
  name: z.optional(z.string()),
  real_name: z.optional(z.string()),
  tz: z.optional(z.string()),
  is_bot: z.optional(z.boolean()),
  deleted: z.optional(z.boolean()),
  profile: z.optional(z.looseObject({ display_name: z.optional(z.string()), real_name: z.optional(z.string()) })),
});

const envelope = z.discriminatedUnion('type', [
  z.looseObject({
    type: z.literal('url_verification'),
    challenge: z.string().check(z.minLength(1), z.maxLength(1000)),
  }),
  z.looseObject({
    type: z.literal('event_callback'),
    event_id: z.string().check(z.minLength(1), z.maxLength(128)),
    event_time: unixSeconds,
    event: z.looseObject({ type: z.string() }),
  }),
  z.looseObject({ type: z.literal('app_rate_limited') }),
]);

/** A member profile from a Slack user object; a time zone Hearth does not know is left out. */
function profileOf(user: z.infer<typeof slackUser>) {
  const name = user.profile?.display_name || user.profile?.real_name || user.real_name || user.name;
  const knownZone = user.tz !== undefined && timeZoneSchema.safeParse(user.tz).success;
  return {
    id: user.id,
    ...(name ? { name } : {}),
    ...(knownZone ? { timezone: user.tz } : {}),
    ...(user.is_bot !== undefined ? { isBot: user.is_bot } : {}),
  };
}

/** Where a canonical event's fields are in an `event_callback`: the actor (a user id) is `event.user`. */
const sources = (extra: Record<string, string> = {}) => ({
  id: 'event_id',
  occurredAt: 'event_time',
  member: 'event.user',
  ...extra,
});

/** The canonical event for one Slack event, or undefined for events Hearth does not use. */
function canonical(
  event: { type: string } & Record<string, unknown>,
  id: string,
  occurredAt: string,
  channel: string | undefined,
): RawEvent | undefined {
  const inScope = (c: unknown) => channel === undefined || c === channel;
  // Here `event.user` is a whole user object.
  const withProfile = sources({
    'member.id': 'event.user.id',
    'member.name': 'event.user.profile.display_name',
    'member.timezone': 'event.user.tz',
  });
  switch (event.type) {
    case 'team_join': {
      // Workspace joins count when the community is the workspace (no channel configured).
      if (channel !== undefined) return undefined;
      const user = expectShape(slackUser, event.user, 'event.user.');
      return { event: { id, type: 'member.joined', occurredAt, member: profileOf(user) }, fields: withProfile };
    }
    case 'member_joined_channel':
      if (channel === undefined || !inScope(event.channel)) return undefined;
      return {
        event: {
          id,
          type: 'member.joined',
          occurredAt,
          member: { id: event.user },
          // Slack names who added the member to the channel, when someone did: a declared referral.
          ...(typeof event.inviter === 'string' && event.inviter !== event.user
            ? { invitedBy: event.inviter, referralConfidence: 'declared' as const }
            : {}),
        },
        fields: sources({ invitedBy: 'event.inviter' }),
      };
    case 'member_left_channel':
      if (channel === undefined || !inScope(event.channel)) return undefined;
      return { event: { id, type: 'member.left', occurredAt, member: { id: event.user } }, fields: sources() };
    case 'user_change': {
      const user = expectShape(slackUser, event.user, 'event.user.');
      if (user.deleted && channel === undefined) {
        return { event: { id, type: 'member.left', occurredAt, member: { id: user.id } }, fields: withProfile };
      }
      return { event: { id, type: 'member.updated', occurredAt, member: profileOf(user) }, fields: withProfile };
    }
    case 'message': {
      // Edits, deletions, joins and bot posts arrive as subtypes; they are not members' messages.
      const subtype = event.subtype as string | undefined;
      if (subtype && subtype !== 'thread_broadcast' && subtype !== 'file_share') return undefined;
      if (typeof event.user !== 'string' || !inScope(event.channel)) return undefined;
      const isReply = typeof event.thread_ts === 'string' && event.thread_ts !== event.ts;
      return {
        event: {
          id,
          type: 'message.posted',
          occurredAt,
          member: { id: event.user },
          channelId: event.channel,
          ...(isReply && typeof event.parent_user_id === 'string' ? { replyTo: event.parent_user_id } : {}),
          // `<channel>:<ts>` of the thread's parent, as a reaction names its message (and Hearth's own posts).
          ...(isReply ? { replyToMessage: `${event.channel}:${event.thread_ts}` } : {}),
          ...(typeof event.text === 'string' ? { text: event.text } : {}),
        },
        fields: sources({
          channelId: 'event.channel',
          replyTo: 'event.parent_user_id',
          replyToMessage: 'event.thread_ts',
          text: 'event.text',
        }),
      };
    }
    case 'reaction_added': {
      const item = event.item as { channel?: string; ts?: unknown } | undefined;
      if (typeof event.user !== 'string' || typeof event.item_user !== 'string' || !inScope(item?.channel)) {
        return undefined;
      }
      return {
        event: {
          id,
          type: 'reaction.added',
          occurredAt,
          member: { id: event.user },
          toMemberId: event.item_user,
          ...(typeof item?.ts === 'string' ? { messageId: `${item.channel}:${item.ts}` } : {}),
        },
        fields: sources({ toMemberId: 'event.item_user', messageId: 'event.item.ts' }),
      };
    }
    default:
      return undefined;
  }
}

const slashForm = z.looseObject({
  command: z.string().check(z.regex(/^\/[a-z0-9_-]{1,31}$/i, 'must be a slash command')),
  text: z._default(z.string().check(z.maxLength(4000)), ''),
  user_id: z.string().check(z.minLength(1)),
  channel_id: z.string().check(z.minLength(1)),
  trigger_id: z.string().check(z.minLength(1), z.maxLength(200)),
});

/** A slash command as a `message.posted` whose text is the command line (used to answer it, never kept). */
function slashCommand(request: InboundRequest, now: Date): ParsedRequest {
  const form = expectShape(slashForm, Object.fromEntries(new URLSearchParams(request.rawBody)));
  // Verified fresh already: the request's own timestamp is when the member typed it.
  const occurredAt = secondsToIso(request.headers['x-slack-request-timestamp'] as string);
  const [event] = canonicalEvents(
    [
      {
        event: {
          id: `slack:command:${form.trigger_id}`,
          type: 'message.posted',
          occurredAt,
          // Not `user_name`: it is the legacy handle, not the name the profile (`user_change`) gives.
          member: { id: form.user_id },
          channelId: form.channel_id,
          text: `${form.command} ${form.text}`.trim(),
        },
        fields: {
          id: 'trigger_id',
          occurredAt: 'x-slack-request-timestamp',
          'member.id': 'user_id',
          channelId: 'channel_id',
          text: 'text',
        },
      },
    ],
    now,
  );
  // The command and its answer are seen by the member only: the answer goes to their DMs.
  return {
    events: [event],
    reply: { statusCode: 200, contentType: 'text/plain', body: '' },
    answers: { [event.id]: { private: true } },
  };
}

export const adapter: PlatformAdapter = {
  platform: 'slack',
  acceptsGet: false,

  async verify(request: InboundRequest, { community, secrets, now }: AdapterContext): Promise<void> {
    if (community.platform.kind !== 'slack') throw unauthorized('community is not on Slack', 'platform');
    const timestamp = request.headers['x-slack-request-timestamp'];
    const signature = request.headers['x-slack-signature'];
    if (!timestamp || !signature) {
      const missing = timestamp ? 'X-Slack-Signature' : 'X-Slack-Request-Timestamp';
      throw unauthorized('X-Slack-Signature or X-Slack-Request-Timestamp is missing', missing);
    }
    if (!/^\d{1,12}$/.test(timestamp) || !isFresh(Number(timestamp), now, SLACK_TOLERANCE_SECONDS)) {
      throw unauthorized('X-Slack-Request-Timestamp is stale', 'X-Slack-Request-Timestamp');
    }
    const secret = await secrets.resolve(community.platform.signingSecret);
    if (!safeEqual(signature, signSlack(secret, Number(timestamp), request.rawBody))) {
      throw unauthorized('X-Slack-Signature does not match', 'X-Slack-Signature');
    }
  },

  parse(request: InboundRequest, { community, now }: AdapterContext): ParsedRequest {
    if (request.headers['content-type']?.startsWith('application/x-www-form-urlencoded')) {
      return slashCommand(request, now);
    }
    const message = expectShape(envelope, jsonBody(request.rawBody));
    if (message.type === 'url_verification') {
      return { events: [], reply: { statusCode: 200, contentType: 'text/plain', body: message.challenge } };
    }
    if (message.type !== 'event_callback') return { events: [] };

    const channel = community.platform.kind === 'slack' ? community.platform.channel : undefined;
    const raw = canonical(message.event, message.event_id, secondsToIso(message.event_time), channel);
    return { events: raw ? canonicalEvents([raw], now) : [] };
  },
};
