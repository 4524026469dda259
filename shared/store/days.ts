import { isActivity } from '../domain/events';
import type { Db } from './db';
import { queryAll, updateItem } from './db';
import { dayPk, memberDayKey, memberDaysPk } from './keys';
import type { UpdateBuilder } from './update';

/** How long a member-day row (and so its dedupe set) is kept, from its day or its receipt, whichever is later. */
export const MEMBER_DAY_RETENTION_DAYS = 400;

/** When an item of a member's local `day` expires (epoch seconds, the table's TTL): as a member-day row. */
export const dayExpiresAt = (day: string): number =>
  Math.floor(Date.parse(`${day}T00:00:00Z`) / 1000) + MEMBER_DAY_RETENTION_DAYS * 86_400;

/** A community's day, as the digest and the CLI read it (docs/kpis.md builds on these). */
export interface DayTotals {
  day: string;
  messages: number;
  replies: number;
  reactions: number;
  /** Members with at least one activity that day (DAU). */
  activeMembers: number;
  joins: number;
  leaves: number;
}

interface DayRow {
  messages?: number;
  replies?: number;
  reactions?: number;
  joins?: number;
  leaves?: number;
}

/**
 * Sum one day partition: a row per member who was active, joined or left that
 * day. Reads pre-aggregated rows only, never message history; the cost grows
 * with that day's members, not with the community.
 */
export async function dayTotals(db: Db, communityId: string, day: string): Promise<DayTotals> {
  const rows = await queryAll<DayRow>(db, {
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': dayPk(communityId, day) },
    // The dedupe set is what makes a row large; the totals need none of it.
    ProjectionExpression: 'messages, replies, reactions, joins, leaves',
  });
  const totals: DayTotals = { day, messages: 0, replies: 0, reactions: 0, activeMembers: 0, joins: 0, leaves: 0 };
  for (const row of rows) {
    totals.messages += row.messages ?? 0;
    totals.replies += row.replies ?? 0;
    totals.reactions += row.reactions ?? 0;
    totals.joins += row.joins ?? 0;
    totals.leaves += row.leaves ?? 0;
    if (isActivity(row)) totals.activeMembers++;
  }
  return totals;
}

/**
 * A member's row for one day, as the end-of-day standing reads it: the counts,
 * and the sets ingest keeps beside them (see `contributionOf` in `ingest.ts`),
 * with what the standing wrote back.
 */
export interface MemberDayRow extends DayRow {
  memberId: string;
  day: string;
  /** The seconds of the day's messages, from the day's date at 00:00 UTC, in base 36 (see {@link messageInstants}). */
  msgAt?: Set<string>;
  /** The seconds of the day's reactions and joins, the same way (the digest's activation). */
  reactAt?: Set<string>;
  joinAt?: Set<string>;
  /** `<r|a>#<author>#<message>`: replies and reactions to others' messages. */
  credits?: Set<string>;
  /** Members whose referral qualified on this day, credited to this member. */
  referred?: Set<string>;
  /** Written by the end-of-day standing: what the member received, and the points of the day. */
  repliesReceived?: number;
  reactionsReceived?: number;
  earned?: number;
  /** The member was marked staff, or a bot, by an event of the day (the digest leaves them out). */
  staff?: boolean;
  bot?: boolean;
}

const MEMBER_DAY_FIELDS =
  'memberId, #day, messages, replies, reactions, joins, leaves, msgAt, reactAt, joinAt, credits, referred, repliesReceived, reactionsReceived, earned, staff, bot';

/** Every member's row of one community day, without the dedupe set; cost grows with that day's members. */
export function memberDayRows(db: Db, communityId: string, day: string): Promise<MemberDayRow[]> {
  return queryAll<MemberDayRow>(db, {
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': dayPk(communityId, day) },
    ExpressionAttributeNames: { '#day': 'day' },
    ProjectionExpression: MEMBER_DAY_FIELDS,
  });
}

/** The projection of a member's day row that the standing reads (for `batchGet`). */
export const MEMBER_DAY_PROJECTION = { projection: MEMBER_DAY_FIELDS, names: { '#day': 'day' } };

/**
 * Add to (or create) a member's row for a day outside ingest: what the
 * end-of-day standing writes back. The row gets the keys that index it, like
 * one ingest creates.
 */
export async function updateMemberDay(
  db: Db,
  communityId: string,
  day: string,
  memberId: string,
  update: UpdateBuilder,
): Promise<void> {
  update
    .setIfAbsent('memberId', memberId)
    .setIfAbsent('day', day)
    .setIfAbsent('memberDaysPk', memberDaysPk(communityId, memberId))
    .setIfAbsent('expiresAt', dayExpiresAt(day));
  await updateItem(db, memberDayKey(communityId, day, memberId), update);
}

/**
 * A message's second as its day row keeps it: seconds from the row's date at
 * 00:00 UTC (negative in zones ahead of UTC), in base 36; at most 5
 * characters, where Unix seconds would take 6, for a set that grows with
 * every message of the day.
 */
export const messageSecond = (day: string, occurredAt: Date): string =>
  Math.floor((occurredAt.getTime() - Date.parse(`${day}T00:00:00Z`)) / 1000).toString(36);

/** The Unix seconds of a day row's messages (or, with `field`, of its reactions or joins). */
export const messageInstants = (
  row: Pick<MemberDayRow, 'day' | 'msgAt' | 'reactAt' | 'joinAt'>,
  field: 'msgAt' | 'reactAt' | 'joinAt' = 'msgAt',
): number[] => {
  const start = Date.parse(`${row.day}T00:00:00Z`) / 1000;
  return [...(row[field] ?? [])].map((second) => start + Number.parseInt(second, 36));
};
