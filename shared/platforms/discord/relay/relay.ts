import { MessageReferenceType, MessageType } from 'discord-api-types/v10';
import { type InboundEvent, inboundEventSchema } from '../../../domain/events';
import * as z from '../../../domain/zod';
import { snowflakeDate } from '../snowflake';
import { discordUser, memberOf, snowflakeId } from '../user';
import type { EventForwarder, ForwardOutcome } from './forwarder';
import type { Gateway, GatewayDispatch } from './gateway';
import type { InviteTracker } from './invites';
import { type RelayLog, silentLog } from './log';

/**
 * The Discord relay: Gateway dispatches in, generic events out. Discord sends
 * joins, leaves, messages and reactions only over the Gateway, so a small
 * always-on process holds it and forwards what Hearth counts to the generic
 * webhook. Event ids are deterministic, so a retried forward, or the same
 * dispatch seen twice, is applied once:
 *
 * - GUILD_MEMBER_ADD → member.joined `discord:join:<guild>:<user>:<joined_at>`
 *   (Discord may send it again for a member already in; joined_at is the same)
 * - GUILD_MEMBER_REMOVE → member.left `discord:leave:<guild>:<user>:<unix second seen>`.
 *   A leave carries no id or time. The id is made once, when the dispatch
 *   arrives, and every retry of its forward reuses it; a resumed session
 *   replays only dispatches the relay has not seen, so that is enough. Two
 *   relays on one bot would count a leave twice: run one relay per bot.
 * - MESSAGE_CREATE → message.posted `discord:msg:<message>`
 * - MESSAGE_REACTION_ADD → reaction.added `discord:react:<message>:<user>:<emoji>`
 *   (taking a reaction back and giving it again counts once)
 *
 * Only guild events count (and only the community's guild when `guildId` is
 * set); DMs with the bot are not community activity.
 */

const snowflake = snowflakeId;
const user = discordUser;

const memberAdd = z.looseObject({ guild_id: snowflake, user, joined_at: z.nullish(z.string()) });
const memberRemove = z.looseObject({ guild_id: snowflake, user });
const messageCreate = z.looseObject({
  id: snowflake,
  channel_id: snowflake,
  guild_id: z.optional(snowflake),
  author: user,
  content: z.optional(z.string()),
  timestamp: z.optional(z.string()),
  type: z.number().check(z.int()),
  webhook_id: z.optional(snowflake),
  message_reference: z.optional(z.looseObject({ type: z.optional(z.number().check(z.int())) })),
  referenced_message: z.nullish(
    z.looseObject({
      id: z.optional(snowflake),
      author: z.optional(z.looseObject({ id: snowflake })),
      webhook_id: z.optional(snowflake),
    }),
  ),
});
const reactionAdd = z.looseObject({
  user_id: snowflake,
  message_id: snowflake,
  guild_id: z.optional(snowflake),
  member: z.optional(z.looseObject({ user: z.optional(user) })),
  emoji: z.looseObject({ id: z.nullish(snowflake), name: z.nullish(z.string()) }),
  message_author_id: z.optional(snowflake),
});

// Messages people write; joins, boosts, pins and the like are system messages of other types.
const PEOPLES_MESSAGES = new Set<number>([MessageType.Default, MessageType.Reply]);

/** A Discord timestamp (ISO 8601, often with microseconds) as Hearth's ISO string, or undefined. */
function isoTime(value: string | null | undefined): string | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** Where the relay listens. */
export interface RelayScope {
  /** The community's guild; without it, every guild the bot is in. */
  guildId?: string;
}

/**
 * The generic event for one Gateway dispatch, or undefined when Hearth does not
 * count it (another guild, a DM, a system or webhook message, a reaction whose
 * message author is unknown, an event type it does not use). `now` stands in for
 * times the dispatch does not carry.
 */
export function eventFromDispatch(dispatch: GatewayDispatch, scope: RelayScope, now: Date): InboundEvent | undefined {
  const inScope = (guildId: string | undefined) =>
    guildId !== undefined && (scope.guildId === undefined || guildId === scope.guildId);
  let raw: Record<string, unknown> | undefined;
  switch (dispatch.t) {
    case 'GUILD_MEMBER_ADD': {
      const d = memberAdd.safeParse(dispatch.d);
      if (!d.success || !inScope(d.data.guild_id)) return undefined;
      const joinedAt = isoTime(d.data.joined_at) ?? now.toISOString();
      raw = {
        id: `discord:join:${d.data.guild_id}:${d.data.user.id}:${joinedAt}`,
        type: 'member.joined',
        occurredAt: joinedAt,
        member: memberOf(d.data.user),
      };
      break;
    }
    case 'GUILD_MEMBER_REMOVE': {
      const d = memberRemove.safeParse(dispatch.d);
      if (!d.success || !inScope(d.data.guild_id)) return undefined;
      const second = Math.floor(now.getTime() / 1000);
      raw = {
        id: `discord:leave:${d.data.guild_id}:${d.data.user.id}:${second}`,
        type: 'member.left',
        occurredAt: new Date(second * 1000).toISOString(),
        member: { id: d.data.user.id },
      };
      break;
    }
    case 'MESSAGE_CREATE': {
      const d = messageCreate.safeParse(dispatch.d);
      if (!d.success || !inScope(d.data.guild_id)) return undefined;
      const message = d.data;
      // A webhook's "author" is the webhook, not a member.
      if (message.webhook_id || !PEOPLES_MESSAGES.has(message.type)) return undefined;
      const reference = message.referenced_message;
      const isReply =
        message.type === MessageType.Reply &&
        (message.message_reference?.type ?? MessageReferenceType.Default) === MessageReferenceType.Default;
      const replyTo = isReply && reference && !reference.webhook_id ? reference.author?.id : undefined;
      // Text is only for recognising commands, so only a command's text leaves the relay.
      const text = message.content?.trimStart().startsWith('/') ? message.content : undefined;
      raw = {
        id: `discord:msg:${message.id}`,
        type: 'message.posted',
        occurredAt: isoTime(message.timestamp) ?? snowflakeDate(message.id).toISOString(),
        member: memberOf(message.author),
        channelId: message.channel_id,
        ...(replyTo ? { replyTo } : {}),
        ...(replyTo && reference?.id ? { replyToMessage: reference.id } : {}),
        ...(text ? { text } : {}),
      };
      break;
    }
    case 'MESSAGE_REACTION_ADD': {
      const d = reactionAdd.safeParse(dispatch.d);
      if (!d.success || !inScope(d.data.guild_id)) return undefined;
      const reaction = d.data;
      // Older messages may come without their author; a reaction to no one is not counted.
      if (!reaction.message_author_id) return undefined;
      // A custom emoji by id (its name can change), a standard one by its character.
      const emoji = reaction.emoji.id ?? reaction.emoji.name ?? 'unknown';
      const reactor = reaction.member?.user;
      raw = {
        id: `discord:react:${reaction.message_id}:${reaction.user_id}:${emoji}`,
        type: 'reaction.added',
        occurredAt: now.toISOString(),
        member: reactor && reactor.id === reaction.user_id ? memberOf(reactor) : { id: reaction.user_id },
        toMemberId: reaction.message_author_id,
        messageId: reaction.message_id,
      };
      break;
    }
    default:
      return undefined;
  }
  const event = inboundEventSchema.safeParse(raw);
  return event.success ? event.data : undefined;
}

/** A join with the inviter of the invite it probably used (`probable`: two joins at once can swap). */
async function withInviter(event: InboundEvent, invites: InviteTracker, guildId: string): Promise<InboundEvent> {
  const use = await invites.used(guildId);
  if (!use || use.inviterId === event.member.id) return event;
  return { ...event, invitedBy: use.inviterId, referralConfidence: 'probable' } as InboundEvent;
}

export interface RelayOptions extends RelayScope {
  gateway: Gateway;
  /** Puts each join down to the invite it probably used (see `invites.ts`); without it joins name no inviter. */
  invites?: InviteTracker;
  forwarder: EventForwarder;
  /** Events waiting to be forwarded, at most (default 10 000); past it new ones are dropped and counted. */
  maxQueue?: number;
  /** How long `stop()` keeps forwarding what is queued before giving up on it (default 10 s). */
  graceMs?: number;
  clock?: () => Date;
  log?: RelayLog;
}

/** What a relay has done so far. */
export type RelayCounts = Record<Exclude<ForwardOutcome, 'aborted'> | 'dropped' | 'unsent', number>;

/**
 * Holds the Gateway and forwards what Hearth counts, one event at a time in the
 * order Discord sent them, through a bounded in-memory queue (Hearth being
 * down for a while fills it; past its bound events are dropped and counted).
 */
export class Relay {
  readonly counts: RelayCounts = { relayed: 0, rejected: 0, failed: 0, dropped: 0, unsent: 0 };
  /** In arrival order; a join waits here for its inviter to be worked out. */
  private readonly queue: Array<InboundEvent | Promise<InboundEvent>> = [];
  private readonly abort = new AbortController();
  private readonly maxQueue: number;
  private readonly graceMs: number;
  private readonly clock: () => Date;
  private readonly log: RelayLog;
  private draining: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private settle!: (error?: Error) => void;
  private readonly done = new Promise<void>((resolve, reject) => {
    this.settle = (error) => (error ? reject(error) : resolve());
  });

  constructor(private readonly options: RelayOptions) {
    this.maxQueue = options.maxQueue ?? 10_000;
    this.graceMs = options.graceMs ?? 10_000;
    this.clock = options.clock ?? (() => new Date());
    this.log = options.log ?? silentLog;
  }

  /** Connect and relay until `stop()` (resolves) or a fatal Gateway error (rejects with it). */
  run(): Promise<void> {
    const { gateway } = this.options;
    gateway.onDispatch((dispatch) => this.receive(dispatch));
    gateway.onFatal((error) => void this.stop(error));
    gateway.connect().catch((error: Error) => this.stop(error));
    return this.done;
  }

  /** Close the Gateway, forward what is queued for up to `graceMs`, and end `run()` (with `error`, if given). */
  stop(error?: Error): Promise<void> {
    this.stopping ??= this.shutdown(error);
    return this.stopping;
  }

  /** Events waiting to be forwarded. */
  get pending(): number {
    return this.queue.length;
  }

  private receive(dispatch: GatewayDispatch): void {
    if (this.stopping) return;
    const { invites } = this.options;
    const guild = (dispatch.d as { guild_id?: string; id?: string } | null) ?? {};
    if (invites && dispatch.t === 'GUILD_CREATE' && guild.id && this.inScope(guild.id)) void invites.prime(guild.id);
    const parsed = eventFromDispatch(dispatch, this.options, this.clock());
    if (!parsed) return;
    const event =
      invites && parsed.type === 'member.joined' && guild.guild_id
        ? withInviter(parsed, invites, guild.guild_id)
        : parsed;
    if (this.queue.length >= this.maxQueue) {
      // Logged on the first drop and then every 1000th, not once per event.
      if (this.counts.dropped++ % 1000 === 0) {
        this.log('warn', 'relay queue is full; dropping events', {
          dropped: this.counts.dropped,
          queued: this.maxQueue,
        });
      }
      return;
    }
    this.queue.push(event);
    this.kick();
  }

  private inScope(guildId: string): boolean {
    return this.options.guildId === undefined || this.options.guildId === guildId;
  }

  private kick(): void {
    if (this.draining || this.abort.signal.aborted) return;
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      // An event queued between the loop's last check and here would otherwise wait for the next one.
      if (this.queue.length > 0) this.kick();
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 && !this.abort.signal.aborted) {
      const outcome = await this.options.forwarder.forward(await this.queue[0], this.abort.signal);
      if (outcome === 'aborted') return;
      this.queue.shift();
      this.counts[outcome]++;
    }
  }

  private async shutdown(error?: Error): Promise<void> {
    try {
      await this.options.gateway.destroy();
    } catch (destroyError) {
      this.log('warn', 'closing the Discord Gateway failed', { error: (destroyError as Error).message });
    }
    if (this.draining) {
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.graceMs);
      });
      await Promise.race([this.draining, grace]);
      clearTimeout(timer);
    }
    this.abort.abort();
    await this.draining;
    this.counts.unsent = this.queue.length;
    this.log(error ? 'error' : 'info', 'relay stopped', { ...this.counts, ...(error ? { error: error.message } : {}) });
    this.settle(error);
  }
}
