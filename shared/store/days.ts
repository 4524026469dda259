import { isActivity } from '../domain/events';
import type { Db } from './db';
import { queryAll } from './db';
import { dayPk } from './keys';

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
