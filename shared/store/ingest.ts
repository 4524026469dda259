import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CommunityConfig } from '../domain/config';
import { type ActivityDelta, activityDelta, type InboundEvent, isActivity } from '../domain/events';
import { dayIn, daysBetween } from '../domain/time';
import type { DomainEvent } from '../events/domain-events';
import { inFlight } from '../runtime/errors';
import { MEMBER_DAY_RETENTION_DAYS, messageSecond } from './days';
import { type Db, ifCondition, updateItem } from './db';
import {
  anniversaryIndexKeys,
  joinDayIndexKeys,
  type Key,
  lastActiveIndexKeys,
  memberDayKey,
  memberDaysPk,
  memberKey,
  presencePk,
  shortKey,
} from './keys';
import { firstSeen, getMember, type Member } from './members';
import { recordMembership } from './membership';
import { hasProfileFields, setProfileFields } from './profile';
import type { ProfileCache } from './profile-cache';
import { UpdateBuilder } from './update';

/**
 * Apply one inbound event to the table, exactly once.
 *
 * Write 1 is the member's row for the event's day (in the community's time
 * zone). It adds the event's counts and the event's key (11 characters: 8
 * bytes of the SHA-256 of its id, so a row stays small) to the row's `ids`
 * set under the condition that the key is not there yet: the dedupe and the
 * daily aggregate are one conditional write. An event always maps to the same
 * row (same actor, same instant), so a retry, a concurrent duplicate or a
 * re-import of old history years later all fail the condition and change
 * nothing; a separate dedupe record with a TTL would forget old events. The
 * day's first activity also claims the row's `firstKey`.
 *
 * A member's activity counts live only in their day rows (summed through the
 * byMemberDay index when shown), so most messages cost this one write.
 *
 * Write 2 updates the member, only when something about the member changes:
 * a lifecycle event (join, leave, profile update), the member's first
 * activity of a day (the holder of `firstKey`: last active day, the
 * last-active index, a return from a quiet spell), or a profile this process has not
 * written recently. Fields that only move one way (last active day, join and
 * leave times, the profile's `profileAt`) are guarded by a condition; when an
 * older event arrives late, a plain update applies the rest and the guarded
 * fields stay as they are. A forgotten member's profile is not written again.
 * Events from history (received more than a day after they happened) only
 * fill empty profile fields and never count as a return from a quiet spell.
 *
 * When write 2 fails after write 1 succeeded, the platform's retry must
 * finish the work rather than be dropped as a duplicate:
 * - a lifecycle event (rare, and the welcome depends on it) also takes a
 *   lease on the row (`pending_<key>`, the time it was taken), and its member
 *   write is made idempotent by the member's `lifecycleIds`. A failure
 *   releases the lease; a later copy takes over a released or expired lease
 *   (one copy wins, by a condition) and redoes write 2 and the publish. A copy
 *   arriving during a live lease is told to retry (503), since the delivery in
 *   flight may yet fail. The caller removes the lease once the domain events
 *   are on the bus (write 3); after that a copy is a plain duplicate.
 * - an activity event takes its id, counts and `firstKey` claim back off the
 *   day row when write 2 fails, so its retry applies it whole.
 */

export { MEMBER_DAY_RETENTION_DAYS };
/** An event received later than this after it happened is history. */
export const LIVE_WINDOW_MS = 24 * 60 * 60 * 1000;
/** Whether an event that happened at `occurredAt` and reached Hearth at `now` is live, not history. */
export const isLive = (occurredAt: Date, now: Date): boolean => now.getTime() - occurredAt.getTime() <= LIVE_WINDOW_MS;
/** A lifecycle event's lease: a copy arriving within it is told to retry; after it, a copy takes over. */
export const LEASE_MS = 30_000;

/**
 * The dedupe key of an event id (`shortKey`: 11 characters, whatever the
 * platform's id looks like). A string set rather than a binary one: the row's
 * set comes back with every write, and strings need no decoding.
 */
export const eventKey = shortKey;
/** The attribute of a lifecycle event's lease: the same 8 bytes in hex, letters and digits only (see `UpdateBuilder.name`). */
const leaseAttribute = (id: string): string => `pending_${Buffer.from(shortKey(id), 'base64url').toString('hex')}`;

/** The outcome of applying an event. */
export interface IngestResult {
  duplicate: boolean;
  /** Domain events for the bus. */
  events: DomainEvent[];
  /** Call once the events are published: marks a lifecycle event done. */
  complete?: () => Promise<void>;
  /** Call when publishing failed: lets the platform's retry finish the event at once. */
  release?: () => Promise<void>;
}

const LIFECYCLE_TYPES = new Set<InboundEvent['type']>(['member.joined', 'member.left', 'member.updated']);

/** Options for `ingestEvent`. */
export interface IngestOptions {
  /** Profiles this process wrote recently; a repeat of one skips the member write. */
  profiles?: ProfileCache;
  /** Time of receipt; defaults to the event's own time (as if received live). */
  now?: Date;
  /**
   * From how many days of silence a member's first activity is a return, published as `member.reactivated`
   * (the workflows say: `quietSpellDays` in the workflow registry); without it only answers are.
   */
  quietSpellDays?: number;
}

/** Apply a validated `event` to `community`. */
export async function ingestEvent(
  db: Db,
  community: CommunityConfig,
  event: InboundEvent,
  options: IngestOptions = {},
): Promise<IngestResult> {
  const occurredAt = new Date(event.occurredAt);
  const day = dayIn(occurredAt, community.timezone);
  const delta = activityDelta(event);
  const lifecycle = LIFECYCLE_TYPES.has(event.type);
  const rowKey = memberDayKey(community.id, day, event.member.id);

  const now = options.now ?? occurredAt;
  const live = isLive(occurredAt, now);

  const recorded = await recordOnDay(db, rowKey, community.id, event, day, delta, lifecycle, now);
  // A lifecycle event whose lease was released or expired did not finish: this copy finishes it.
  if (!recorded && !(lifecycle && (await takeOverLease(db, rowKey, event.id, now)))) {
    // A copy of a lifecycle event still in flight is not a duplicate yet: if that delivery fails, this
    // copy's sender must come back, so it is told to retry rather than that all is done.
    if (lifecycle && (await leaseIsLive(db, rowKey, event.id))) {
      throw inFlight('this event is being applied by another delivery; retry shortly');
    }
    return { duplicate: true, events: [] };
  }

  const firstActivityOfDay = recorded?.firstActivityOfDay ?? false;
  const profileKey = `${community.id}#${event.member.id}`;
  const newProfile = hasProfile(event) && !options.profiles?.isKnown(profileKey, event.member, now);
  if (!lifecycle && !firstActivityOfDay && !newProfile) return { duplicate: false, events: [] };

  const release = lifecycle ? () => releaseLease(db, rowKey, event.id, now) : undefined;
  let events: DomainEvent[];
  try {
    events = await applyToMember(db, community, event, {
      day,
      delta,
      occurredAt,
      firstActivityOfDay,
      live,
      quietSpellDays: options.quietSpellDays,
    });
  } catch (error) {
    if (release) await release().catch(() => undefined);
    else if (recorded) await takeBackFromDay(db, rowKey, event.id, delta, firstActivityOfDay).catch(() => undefined);
    throw error;
  }
  if (hasProfile(event) && live) options.profiles?.remember(profileKey, event.member, now);
  if (!release) return { duplicate: false, events };
  return { duplicate: false, events, complete: () => clearLease(db, rowKey, event.id), release };
}

/** Write 1: the day row. Undefined when the event is already on it (a duplicate). */
async function recordOnDay(
  db: Db,
  key: Key,
  communityId: string,
  event: InboundEvent,
  day: string,
  delta: ActivityDelta,
  lifecycle: boolean,
  now: Date,
): Promise<{ firstActivityOfDay: boolean } | undefined> {
  const dedupeKey = eventKey(event.id);
  const activity = isActivity(delta);
  // Kept a retention period from its day, or from its receipt for history imported late.
  const keptFrom = Math.max(Date.parse(`${day}T00:00:00Z`), now.getTime());
  const update = countsOnDay(new UpdateBuilder(), delta, 1)
    .addToSet('ids', new Set([dedupeKey]))
    .setIfAbsent('memberId', event.member.id)
    .setIfAbsent('day', day)
    .setIfAbsent('memberDaysPk', memberDaysPk(communityId, event.member.id))
    .setIfAbsent('expiresAt', Math.floor(keptFrom / 1000) + MEMBER_DAY_RETENTION_DAYS * 86_400);
  for (const [attribute, members] of Object.entries(contributionOf(event, delta, day))) {
    update.addToSet(attribute, members);
  }
  // Who the digest leaves out, as the event says (in the same write, so it costs nothing).
  if (event.member.isStaff) update.set('staff', true);
  if (event.member.isBot) update.set('bot', true);
  if (lifecycle) update.set(leaseAttribute(event.id), now.getTime());
  // The first activity of the day claims the row's `firstKey`; only it writes the member's last active day.
  if (activity) update.setIfAbsent('firstKey', dedupeKey);
  // The key must not be in the set yet: this condition is the dedupe.
  const condition = `NOT contains(${update.name('ids')}, ${update.value(dedupeKey)})`;
  const result = await ifCondition(() =>
    db.doc.send(
      new UpdateCommand({ TableName: db.table, Key: key, ...update.build(condition), ReturnValues: 'UPDATED_NEW' }),
    ),
  );
  if (result === undefined) return undefined;
  return { firstActivityOfDay: activity && result.Attributes?.firstKey === dedupeKey };
}

/** Take over a lifecycle event's released or expired lease; false when it is done or live elsewhere. */
async function takeOverLease(db: Db, key: Key, eventId: string, now: Date): Promise<boolean> {
  const update = new UpdateBuilder().set(leaseAttribute(eventId), now.getTime());
  // A comparison with a missing attribute is false: a finished event (lease removed) is not taken over.
  const condition = `${update.name(leaseAttribute(eventId))} < ${update.value(now.getTime() - LEASE_MS)}`;
  const result = await ifCondition(() =>
    db.doc.send(new UpdateCommand({ TableName: db.table, Key: key, ...update.build(condition) })),
  );
  return result !== undefined;
}

/** Whether a lifecycle event's lease is still on its row (it is removed once the event is done). */
async function leaseIsLive(db: Db, key: Key, eventId: string): Promise<boolean> {
  const result = await db.doc.send(
    new GetCommand({
      TableName: db.table,
      Key: key,
      ConsistentRead: true,
      ProjectionExpression: '#lease',
      ExpressionAttributeNames: { '#lease': leaseAttribute(eventId) },
    }),
  );
  return result.Item?.[leaseAttribute(eventId)] !== undefined;
}

/** Give the lease up after a failure, so the next copy takes over at once. */
async function releaseLease(db: Db, key: Key, eventId: string, takenAt: Date): Promise<void> {
  const update = new UpdateBuilder().set(leaseAttribute(eventId), 0);
  const condition = `${update.name(leaseAttribute(eventId))} = ${update.value(takenAt.getTime())}`;
  await ifCondition(() =>
    db.doc.send(new UpdateCommand({ TableName: db.table, Key: key, ...update.build(condition) })),
  );
}

/** Write 3 of a lifecycle event: it is done. */
async function clearLease(db: Db, key: Key, eventId: string): Promise<void> {
  const update = new UpdateBuilder().remove(leaseAttribute(eventId));
  await db.doc.send(new UpdateCommand({ TableName: db.table, Key: key, ...update.build() }));
}

/** What an event adds to its day row's sets for the end-of-day standing (see {@link contributionOf}). */
type Contribution = Partial<Record<'msgAt' | 'reactAt' | 'joinAt' | 'credits', Set<string>>>;

/**
 * The facts the end-of-day standing needs beyond counts, kept in the same
 * write as the counts: `msgAt`, the second of each message (`messageSecond`),
 * for the points cooldown; `credits`, one `<r|a>#<author>#<message>`
 * per reply or reaction to someone else's message (`<message>` a short key of
 * the platform's message id, `-` when it names none), for what the author
 * receives. A set, so the same reaction or reply twice credits once.
 */
export function contributionOf(event: InboundEvent, delta: ActivityDelta, day: string): Contribution {
  const contribution: Contribution = {};
  const second = messageSecond(day, new Date(event.occurredAt));
  if (delta.messages) contribution.msgAt = new Set([second]);
  // The seconds of reactions and joins, for the digest's activation (an activity within 7 × 24 h of a join).
  if (delta.reactions) contribution.reactAt = new Set([second]);
  if (delta.joins) contribution.joinAt = new Set([second]);
  const message = (id: string | undefined) => (id === undefined ? '-' : shortKey(id));
  if (event.type === 'message.posted' && delta.replies && event.replyTo && event.replyTo !== event.member.id) {
    contribution.credits = new Set([`r#${event.replyTo}#${message(event.replyToMessage)}`]);
  }
  if (event.type === 'reaction.added' && event.toMemberId !== event.member.id) {
    contribution.credits = new Set([`a#${event.toMemberId}#${message(event.messageId)}`]);
  }
  return contribution;
}

const countsOnDay = (update: UpdateBuilder, delta: ActivityDelta, sign: 1 | -1): UpdateBuilder =>
  update
    .add('messages', sign * delta.messages)
    .add('replies', sign * delta.replies)
    .add('reactions', sign * delta.reactions)
    .add('joins', sign * delta.joins)
    .add('leaves', sign * delta.leaves);

/** Undo write 1 of an activity event whose member write failed, so that its retry applies it whole. */
async function takeBackFromDay(
  db: Db,
  key: Key,
  eventId: string,
  delta: ActivityDelta,
  wasFirst: boolean,
): Promise<void> {
  // The contribution's set entries stay: another event of the row may have added the same one (a second
  // emoji on one message, two messages in one second), and the retry adds nothing new.
  const update = countsOnDay(new UpdateBuilder(), delta, -1).deleteFromSet('ids', new Set([eventKey(eventId)]));
  // Give the claim back too, so the retry (or the day's next activity) writes the last active day.
  if (wasFirst) update.remove('firstKey');
  const condition = `contains(${update.name('ids')}, ${update.value(eventKey(eventId))})`;
  await ifCondition(() =>
    db.doc.send(new UpdateCommand({ TableName: db.table, Key: key, ...update.build(condition) })),
  );
}

interface MemberChange {
  day: string;
  delta: ActivityDelta;
  occurredAt: Date;
  firstActivityOfDay: boolean;
  /** Received within a day of happening (not history). */
  live: boolean;
  /** From how many days of silence a first activity is a return (`IngestOptions.quietSpellDays`). */
  quietSpellDays?: number;
}

/** What write 2 works from: the member's key, the event's time, and the parts each try of the write shares. */
interface MemberWrite {
  key: Key;
  /** The event's time, ISO. */
  at: string;
  lifecycle: boolean;
  /** The domain events' common fields. */
  base: Omit<DomainEvent, 'type'>;
  /** `member.updated` when the profile was written, for the events the write causes. */
  updated: DomainEvent[];
}

/**
 * Write 2: the member item. Returns the domain events the change causes. In
 * order first (every one-way field under its guard); an older event that
 * arrives after newer ones is applied without what it may no longer move.
 */
async function applyToMember(
  db: Db,
  community: CommunityConfig,
  event: InboundEvent,
  change: MemberChange,
): Promise<DomainEvent[]> {
  const at = change.occurredAt.toISOString();
  const base = { communityId: community.id, memberId: event.member.id, occurredAt: at, sourceEventId: event.id };
  const write: MemberWrite = {
    key: memberKey(community.id, event.member.id),
    at,
    lifecycle: LIFECYCLE_TYPES.has(event.type),
    base,
    updated: event.type === 'member.updated' ? [{ type: 'member.updated', ...base }] : [],
  };
  const inOrder = await applyInOrder(db, community, event, change, write);
  if (inOrder) return eventsOfChange(db, event, change, write, inOrder);
  return applyOlderEvent(db, community, event, change, write);
}

/** A lifecycle event changes the member once, whichever delivery gets here first: its id joins `lifecycleIds`. */
function once(update: UpdateBuilder, event: InboundEvent, write: MemberWrite): string[] {
  if (!write.lifecycle) return [];
  update.addToSet('lifecycleIds', new Set([event.id]));
  return [`NOT contains(${update.name('lifecycleIds')}, ${update.value(event.id)})`];
}

/** The update with the one-way fields and their guards, with or without the profile. */
function guardedUpdate(
  community: CommunityConfig,
  event: InboundEvent,
  change: MemberChange,
  at: string,
  withProfile: boolean,
): { update: MemberUpdate; guards: string[] } {
  // A join or leave sets `status` itself; one path may appear only once in an update.
  const setsStatus = event.type === 'member.joined' || event.type === 'member.left';
  const update = baseMemberUpdate(community.id, event, change, !setsStatus);
  const guards: string[] = [];
  if (change.firstActivityOfDay) {
    update
      .set('lastActiveDay', change.day)
      .setIfAbsent('firstActiveDay', change.day)
      .setAll(lastActiveIndexKeys(community.id, event.member.id, change.day))
      // An item awaiting the member's answer is answered (or expired) by this activity; the old value says which.
      .remove('awaiting');
    guards.push(before(update, 'lastActiveDay', change.day));
  }
  if (event.type === 'member.joined') {
    update.set('status', 'member').set('joinedAt', at).set('referralCode', event.referralCode);
    update.set('presentPk', presencePk(community.id, 'member'));
    update.setAll(joinDayIndexKeys(community.id, event.member.id, change.day));
    update.setIfAbsent('firstJoinedAt', at);
    setIfAbsentAll(update, firstJoinIndexKeys(community.id, event.member.id, change.day));
    guards.push(before(update, 'joinedAt', at), before(update, 'leftAt', at));
  }
  if (event.type === 'member.left') {
    update.set('status', 'left').set('leftAt', at).set('presentPk', presencePk(community.id, 'left'));
    guards.push(before(update, 'leftAt', at), notAfter(update, 'joinedAt', at));
  }
  if (withProfile) {
    guards.push(...setProfileFields(update, community.id, event.member.id, event.member, change.live, at));
  }
  return { update, guards };
}

/**
 * Step 1: everything at once, under the guards. They fail for an older event, a forgotten member, or a
 * lifecycle event already applied; a second try without the profile tells a forgotten member (the rest
 * applies) from the others. Returns the member as it was and whether the profile went in; undefined when
 * no try held.
 */
async function applyInOrder(
  db: Db,
  community: CommunityConfig,
  event: InboundEvent,
  change: MemberChange,
  write: MemberWrite,
): Promise<{ old: Partial<Member>; withProfile: boolean } | undefined> {
  const profile = hasProfile(event);
  for (const withProfile of profile ? [true, false] : [false]) {
    const { update, guards } = guardedUpdate(community, event, change, write.at, withProfile);
    if (guards.length === 0 && !write.lifecycle) return undefined;
    const old = await send(db, write.key, update, [...once(update, event, write), ...guards]);
    if (old !== undefined) return { old, withProfile };
  }
  return undefined;
}

/** Step 2, after an in-order write: the domain events it causes (a join, a leave, a return, a profile). */
async function eventsOfChange(
  db: Db,
  event: InboundEvent,
  change: MemberChange,
  write: MemberWrite,
  { old, withProfile }: { old: Partial<Member>; withProfile: boolean },
): Promise<DomainEvent[]> {
  const { base } = write;
  const events: DomainEvent[] = [];
  // What the member was before this write says whether the community gained or lost one: a join or a
  // first sighting (activity from a member never seen) gains one, a leave of a member loses one.
  const created = old.id === undefined;
  const wasMember = old.status === 'member';
  const isMember = event.type === 'member.left' ? false : event.type === 'member.joined' ? true : created || wasMember;
  const delta = Number(isMember) - Number(wasMember);
  const first = event.type === 'member.joined' && old.firstJoinedAt === undefined;
  // A join or leave is recorded even when it changes nothing (a leave of someone already gone): a retry of
  // it, which cannot tell, then finds its event counted instead of counting it as a change.
  const lifecycle = event.type === 'member.joined' || event.type === 'member.left';
  if (
    (delta !== 0 || first || lifecycle) &&
    !(event.member.isStaff || event.member.isBot || old.isStaff || old.isBot)
  ) {
    await recordMembership(db, base.communityId, change.day, event.id, {
      delta,
      ...(first ? { firstJoin: event.member.id } : {}),
    });
  }
  if (event.type === 'member.joined') events.push(joinedEvent(event, base));
  if (event.type === 'member.left') events.push({ type: 'member.left', ...base });
  if (change.firstActivityOfDay) {
    const reactivated = await reactivation(db, write.key, old, change, base);
    if (reactivated) events.push(reactivated);
  }
  return withProfile ? [...events, ...write.updated] : events;
}

/**
 * Step 2, otherwise: an older event arrived after newer ones (or a lifecycle event was already applied).
 * Apply the rest, leave the guarded fields, lower the "first" fields it predates, and fill the profile
 * where it is allowed.
 */
async function applyOlderEvent(
  db: Db,
  community: CommunityConfig,
  event: InboundEvent,
  change: MemberChange,
  write: MemberWrite,
): Promise<DomainEvent[]> {
  const { key, at } = write;
  const plain = baseMemberUpdate(community.id, event, change, true);
  if (event.type === 'member.joined') {
    plain.setIfAbsent('joinedAt', at).setIfAbsent('firstJoinedAt', at);
    setIfAbsentAll(plain, firstJoinIndexKeys(community.id, event.member.id, change.day));
  }
  if (event.type === 'member.left') plain.setIfAbsent('leftAt', at);
  const stored = await send(db, key, plain, once(plain, event, write), 'ALL_NEW');
  if (stored === undefined) return eventsOfAppliedLifecycle(db, community.id, event, write.base, change.day);
  await lowerIfEarlier(db, key, 'firstActiveDay', change.firstActivityOfDay ? change.day : undefined, stored);
  // An earlier first join moves the member's anniversary with it.
  const firstJoin = firstJoinIndexKeys(community.id, event.member.id, change.day);
  await lowerIfEarlier(db, key, 'firstJoinedAt', event.type === 'member.joined' ? at : undefined, stored, firstJoin);
  if (!hasProfile(event)) return [];
  const profileOnly = new UpdateBuilder();
  const profileGuards = setProfileFields(profileOnly, community.id, event.member.id, event.member, change.live, at);
  const written = await send(db, key, profileOnly, profileGuards);
  return written === undefined ? [] : write.updated;
}

/**
 * The member's first activity of a day after a quiet spell (at least the
 * `quietSpellDays` the workflows ask for), or within the window of an item
 * awaiting their answer: `member.reactivated`, naming the item it answers. An
 * activity from before that item was sent (a late delivery) leaves it waiting.
 */
async function reactivation(
  db: Db,
  key: Key,
  old: Partial<Member>,
  change: MemberChange,
  base: Omit<DomainEvent, 'type'>,
): Promise<DomainEvent | undefined> {
  const awaited = old.awaiting;
  const at = change.occurredAt.getTime();
  if (awaited && at < Date.parse(awaited.sentAt)) {
    const update = new UpdateBuilder().set('awaiting', awaited);
    await ifCondition(() =>
      db.doc.send(
        new UpdateCommand({
          TableName: db.table,
          Key: key,
          ...update.build(`attribute_not_exists(${update.name('awaiting')})`),
        }),
      ),
    );
  }
  const answered = awaited && at >= Date.parse(awaited.sentAt) && at <= Date.parse(awaited.until);
  const quietDays = old.lastActiveDay ? daysBetween(old.lastActiveDay, change.day) : undefined;
  const spell = change.quietSpellDays;
  const returned = change.live && quietDays !== undefined && spell !== undefined && quietDays >= spell;
  if (!answered && !returned) return undefined;
  return {
    type: 'member.reactivated',
    ...base,
    ...(quietDays !== undefined ? { quietDays } : {}),
    ...(answered ? { answers: { id: awaited.id, kind: awaited.kind, sentAt: awaited.sentAt } } : {}),
  };
}

/**
 * A retried lifecycle event whose member write an earlier delivery made: the
 * domain events it caused, read off the member as that write left it.
 */
async function eventsOfAppliedLifecycle(
  db: Db,
  communityId: string,
  event: InboundEvent,
  base: Omit<DomainEvent, 'type'>,
  day: string,
): Promise<DomainEvent[]> {
  if (event.type === 'member.updated') return hasProfile(event) ? [{ type: 'member.updated', ...base }] : [];
  const member = await getMember(db, communityId, event.member.id);
  // The membership count of the earlier delivery may not have been written: write it (once per event),
  // taking the join or leave as the change it almost always is.
  const counted = member && !member.isStaff && !member.isBot;
  if (event.type === 'member.joined' && member?.status === 'member' && member.joinedAt === base.occurredAt) {
    if (counted) {
      const first = member.firstJoinedAt === base.occurredAt ? { firstJoin: member.id } : {};
      await recordMembership(db, communityId, day, event.id, { delta: 1, ...first });
    }
    return [joinedEvent(event, base)];
  }
  if (event.type === 'member.left' && member?.status === 'left' && member.leftAt === base.occurredAt) {
    if (counted) await recordMembership(db, communityId, day, event.id, { delta: -1 });
    return [{ type: 'member.left', ...base }];
  }
  return [];
}

/** `member.joined` with what the join says about who referred the member. */
function joinedEvent(event: Extract<InboundEvent, { type: 'member.joined' }>, base: Omit<DomainEvent, 'type'>) {
  const { referralCode, invitedBy, referralConfidence } = event;
  return {
    type: 'member.joined' as const,
    ...base,
    ...(referralCode !== undefined ? { referralCode } : {}),
    ...(invitedBy !== undefined ? { invitedBy } : {}),
    ...(referralConfidence !== undefined ? { referralConfidence } : {}),
  };
}

/** The part of the member update every event makes: presence and lifecycle counts (the profile is `setProfileFields`). */
function baseMemberUpdate(
  communityId: string,
  event: InboundEvent,
  change: MemberChange,
  defaultStatus: boolean,
): MemberUpdate {
  // Activity from a member never seen before creates the member.
  const status = defaultStatus ? (event.type === 'member.left' ? 'left' : 'member') : undefined;
  return firstSeen(new MemberUpdate(), communityId, event.member.id, change.occurredAt.toISOString(), status)
    .add('joins', change.delta.joins)
    .add('leaves', change.delta.leaves);
}

class MemberUpdate extends UpdateBuilder {
  setAll(values: Record<string, string>): this {
    for (const [attribute, value] of Object.entries(values)) this.set(attribute, value);
    return this;
  }
}

const hasProfile = (event: InboundEvent): boolean => hasProfileFields(event.member);

/** The keys that index a member's first join, on `day` in the community's zone (anniversaries). */
const firstJoinIndexKeys = (communityId: string, memberId: string, day: string) =>
  anniversaryIndexKeys(communityId, memberId, day.slice(5));

function setIfAbsentAll(update: UpdateBuilder, values: Record<string, string>): void {
  for (const [attribute, value] of Object.entries(values)) update.setIfAbsent(attribute, value);
}

/** Condition: `attribute` is absent or earlier than `value`. */
function before(update: UpdateBuilder, attribute: string, value: string): string {
  const name = update.name(attribute);
  return `(attribute_not_exists(${name}) OR ${name} < ${update.value(value)})`;
}

/** Condition: `attribute` is absent or not later than `value`. */
function notAfter(update: UpdateBuilder, attribute: string, value: string): string {
  const name = update.name(attribute);
  return `(attribute_not_exists(${name}) OR ${name} <= ${update.value(value)})`;
}

async function send(
  db: Db,
  key: Key,
  update: UpdateBuilder,
  conditions: string[],
  returnValues: 'UPDATED_OLD' | 'ALL_NEW' = 'UPDATED_OLD',
): Promise<Partial<Member> | undefined> {
  const condition = conditions.length ? conditions.join(' AND ') : undefined;
  // Undefined when a condition does not hold.
  return updateItem<Member>(db, key, update, { condition, returnValues });
}

/** Lower a "first" field to `value` when the stored one is later (a late, older event), and what indexes it. */
async function lowerIfEarlier(
  db: Db,
  key: Key,
  attribute: 'firstActiveDay' | 'firstJoinedAt',
  value: string | undefined,
  stored: Partial<Member>,
  indexKeys: Record<string, string> = {},
): Promise<void> {
  const current = stored[attribute];
  if (value === undefined || current === undefined || current <= value) return;
  const update = new MemberUpdate().set(attribute, value).setAll(indexKeys);
  const condition = `${update.name(attribute)} > ${update.value(value)}`;
  await ifCondition(() =>
    db.doc.send(new UpdateCommand({ TableName: db.table, Key: key, ...update.build(condition) })),
  );
}
