import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CommunityConfig } from '../domain/config';
import { type ActivityDelta, activityDelta, type InboundEvent, isActivity } from '../domain/events';
import { addDays, dayIn, daysBetween, unixSeconds } from '../domain/time';
import type { DomainEvent } from '../events/domain-events';
import { type Db, ifCondition } from './db';
import { birthdayIndexKeys, lastActiveIndexKeys, memberDayKey, memberKey } from './keys';
import { UpdateBuilder } from './update';

/**
 * Apply one inbound event to the table, exactly once.
 *
 * Write 1 is the member's row for the event's day (in the community's time
 * zone). It adds the event's counts and the event's id to the row's `ids` set
 * under the condition that the id is not there yet: the dedupe and the daily
 * aggregate are one conditional write. An event always maps to the same row
 * (same actor, same instant), so a retry, a concurrent duplicate or a
 * re-import of old history years later all fail the condition and change
 * nothing; a separate dedupe record with a TTL would forget old events.
 *
 * Write 2 updates the member: profile, totals, lifecycle dates. Fields that
 * must only move one way (last active day, join and leave times) are guarded
 * by a condition; when an older event arrives late, a plain update keeps the
 * counts and the guarded fields stay as they are.
 */

/** How long a member-day row (and so its dedupe set) is kept. */
export const MEMBER_DAY_RETENTION_DAYS = 400;

/** The outcome of applying an event. */
export interface IngestResult {
  duplicate: boolean;
  /** Domain events for the bus. */
  events: DomainEvent[];
}

/** Apply a validated `event` to `community`. */
export async function ingestEvent(db: Db, community: CommunityConfig, event: InboundEvent): Promise<IngestResult> {
  const occurredAt = new Date(event.occurredAt);
  const day = dayIn(occurredAt, community.timezone);
  const delta = activityDelta(event);
  const activity = isActivity(delta);

  const old = await applyToMemberDay(db, community.id, event, day, delta);
  if (old === undefined) return { duplicate: true, events: [] };
  const firstActivityOfDay = activity && (old.messages ?? 0) + (old.reactions ?? 0) === 0;

  const events = await applyToMember(db, community, event, { day, delta, firstActivityOfDay, occurredAt });
  return { duplicate: false, events };
}

interface DayCounts {
  messages?: number;
  reactions?: number;
}

/** Write 1: the day row. Resolves to the row's previous counts, or undefined for a duplicate. */
async function applyToMemberDay(
  db: Db,
  communityId: string,
  event: InboundEvent,
  day: string,
  delta: ActivityDelta,
): Promise<DayCounts | undefined> {
  const update = new UpdateBuilder()
    .add('messages', delta.messages)
    .add('replies', delta.replies)
    .add('reactions', delta.reactions)
    .add('joins', delta.joins)
    .add('leaves', delta.leaves)
    .addToSet('ids', new Set([event.id]))
    .setIfAbsent('memberId', event.member.id)
    .setIfAbsent('day', day)
    .setIfAbsent('expiresAt', unixSeconds(new Date(`${addDays(day, MEMBER_DAY_RETENTION_DAYS)}T00:00:00Z`)));
  // The id must not be in the set yet: this condition is the dedupe.
  const condition = `NOT contains(${update.name('ids')}, ${update.value(event.id)})`;
  const result = await ifCondition(() =>
    db.doc.send(
      new UpdateCommand({
        TableName: db.table,
        Key: memberDayKey(communityId, day, event.member.id),
        ...update.build(condition),
        ReturnValues: 'UPDATED_OLD',
      }),
    ),
  );
  if (result === undefined) return undefined;
  return (result.Attributes ?? {}) as DayCounts;
}

interface MemberChange {
  day: string;
  delta: ActivityDelta;
  firstActivityOfDay: boolean;
  occurredAt: Date;
}

interface MemberOld {
  lastActiveDay?: string;
  firstActiveDay?: string;
  firstJoinedAt?: string;
}

/** Write 2: the member item. Returns the domain events the change causes. */
async function applyToMember(
  db: Db,
  community: CommunityConfig,
  event: InboundEvent,
  change: MemberChange,
): Promise<DomainEvent[]> {
  const key = memberKey(community.id, event.member.id);
  const at = change.occurredAt.toISOString();
  const lifecycle = event.type === 'member.joined' || event.type === 'member.left';
  const plain = baseMemberUpdate(community.id, event, change, true);
  // A join or leave sets `status` itself; one path may appear only once in an update.
  const guarded = baseMemberUpdate(community.id, event, change, !lifecycle);
  const conditions: string[] = [];

  if (change.firstActivityOfDay) {
    guarded
      .set('lastActiveDay', change.day)
      .set('lastActiveAt', at)
      .setIfAbsent('firstActiveDay', change.day)
      .setAll(lastActiveIndexKeys(community.id, event.member.id, change.day));
    const last = guarded.name('lastActiveDay');
    conditions.push(`(attribute_not_exists(${last}) OR ${last} < ${guarded.value(change.day)})`);
  }
  if (event.type === 'member.joined') {
    guarded.set('status', 'member').set('joinedAt', at).set('referralCode', event.referralCode);
    guarded.setIfAbsent('firstJoinedAt', at);
    plain.setIfAbsent('joinedAt', at).setIfAbsent('firstJoinedAt', at);
    conditions.push(newerThan(guarded, 'joinedAt', at), newerThan(guarded, 'leftAt', at));
  }
  if (event.type === 'member.left') {
    guarded.set('status', 'left').set('leftAt', at);
    plain.setIfAbsent('leftAt', at);
    conditions.push(newerThan(guarded, 'leftAt', at), notOlderThan(guarded, 'joinedAt', at));
  }

  const events: DomainEvent[] = [];
  const base = { communityId: community.id, memberId: event.member.id, occurredAt: at, sourceEventId: event.id };
  if (event.type === 'member.updated' && hasProfile(event)) events.push({ type: 'member.updated', ...base });

  if (conditions.length === 0) {
    await send(db, key, plain);
    return events;
  }

  // `firstActiveDay` and `firstJoinedAt` are read back so that a late, older event can lower them.
  const old = await ifCondition(() => send(db, key, guarded, conditions.join(' AND ')));
  let stored: MemberOld;
  if (old !== undefined) {
    stored = old;
    if (event.type === 'member.joined') {
      events.push({ type: 'member.joined', ...base, referralCode: event.referralCode });
    }
    if (event.type === 'member.left') events.push({ type: 'member.left', ...base });
    if (change.firstActivityOfDay && stored.lastActiveDay) {
      const quietDays = daysBetween(stored.lastActiveDay, change.day);
      if (quietDays >= community.winback.ladderDays[0]) events.push({ type: 'member.reactivated', ...base, quietDays });
    }
  } else {
    // An older event arrived after newer ones: keep its counts, leave the guarded fields.
    stored = (await send(db, key, plain, undefined, 'ALL_NEW')) ?? {};
  }
  await lowerIfEarlier(db, key, 'firstActiveDay', change.firstActivityOfDay ? change.day : undefined, stored);
  await lowerIfEarlier(db, key, 'firstJoinedAt', event.type === 'member.joined' ? at : undefined, stored);
  return events;
}

/** The part of the member update every event makes: profile, presence, totals. */
function baseMemberUpdate(
  communityId: string,
  event: InboundEvent,
  change: MemberChange,
  defaultStatus: boolean,
): MemberUpdate {
  const profile = event.member;
  const update = new MemberUpdate().setIfAbsent('id', profile.id).setIfAbsent('communityId', communityId);
  // Activity from a member never seen before creates the member.
  if (defaultStatus) update.setIfAbsent('status', event.type === 'member.left' ? 'left' : 'member');
  update
    .setIfAbsent('firstSeenAt', change.occurredAt.toISOString())
    .set('name', profile.name)
    .set('birthday', profile.birthday)
    .set('timezone', profile.timezone)
    .set('locale', profile.locale)
    .set('isBot', profile.isBot)
    .set('isStaff', profile.isStaff)
    .add('messages', change.delta.messages)
    .add('replies', change.delta.replies)
    .add('reactions', change.delta.reactions)
    .add('joins', change.delta.joins)
    .add('leaves', change.delta.leaves);
  if (profile.birthday) update.setAll(birthdayIndexKeys(communityId, profile.id, profile.birthday.slice(-5)));
  return update;
}

class MemberUpdate extends UpdateBuilder {
  setAll(values: Record<string, string>): this {
    for (const [attribute, value] of Object.entries(values)) this.set(attribute, value);
    return this;
  }
}

const hasProfile = (event: InboundEvent): boolean => {
  const { name, birthday, timezone, locale, isBot, isStaff } = event.member;
  return [name, birthday, timezone, locale, isBot, isStaff].some((v) => v !== undefined);
};

/** Condition: `attribute` is absent or earlier than `value`. */
function newerThan(update: UpdateBuilder, attribute: string, value: string): string {
  const name = update.name(attribute);
  return `(attribute_not_exists(${name}) OR ${name} < ${update.value(value)})`;
}

/** Condition: `attribute` is absent or not later than `value`. */
function notOlderThan(update: UpdateBuilder, attribute: string, value: string): string {
  const name = update.name(attribute);
  return `(attribute_not_exists(${name}) OR ${name} <= ${update.value(value)})`;
}

async function send(
  db: Db,
  key: { pk: string; sk: string },
  update: UpdateBuilder,
  condition?: string,
  returnValues: 'UPDATED_OLD' | 'ALL_NEW' = 'UPDATED_OLD',
): Promise<MemberOld> {
  const result = await db.doc.send(
    new UpdateCommand({ TableName: db.table, Key: key, ...update.build(condition), ReturnValues: returnValues }),
  );
  return (result.Attributes ?? {}) as MemberOld;
}

/** Lower a "first" field to `value` when the stored one is later (a late, older event). */
async function lowerIfEarlier(
  db: Db,
  key: { pk: string; sk: string },
  attribute: 'firstActiveDay' | 'firstJoinedAt',
  value: string | undefined,
  stored: MemberOld,
): Promise<void> {
  const current = stored[attribute];
  if (value === undefined || current === undefined || current <= value) return;
  const update = new UpdateBuilder().set(attribute, value);
  const condition = `${update.name(attribute)} > ${update.value(value)}`;
  await ifCondition(() =>
    db.doc.send(new UpdateCommand({ TableName: db.table, Key: key, ...update.build(condition) })),
  );
}
