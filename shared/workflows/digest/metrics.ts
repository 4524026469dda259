import { isActivity } from '../../domain/events';
import type { MemberDayRow } from '../../store/days';
import { daysEndingWith, daysOf, type Period } from './periods';

/**
 * The digest's numbers for one period, computed from day rows alone (one row
 * per member and day, docs/kpis.md), never from messages. Pure: the rows come
 * from a reader, so the same code serves a week, a month and a quarter, the
 * digest and `digest preview`, and the tests count by hand what it counts.
 *
 * Who counts: a member any row of the window marks as staff or a bot is left
 * out of every number, on both sides of every ratio.
 */

/** The rows of one community day. */
export type DayRows = (day: string) => Promise<readonly MemberDayRow[]>;

/** Days of activity before a period that the churn of a week looks at (W−4 … W−1). */
export const CHURN_LOOKBACK_DAYS = 28;
/** The window of MAU: the 30 days that end with the period's last day. */
export const MAU_DAYS = 30;
/** How many top contributors are listed. */
export const TOP_CONTRIBUTORS = 5;

/** A member's activities in a period, for the top contributors. */
export interface Contributor {
  memberId: string;
  activities: number;
  repliesReceived: number;
}

/** What the digest reports for a period (names as docs/contract.md gives them; rates are fractions). */
export interface ActivityNumbers {
  joins: number;
  leaves: number;
  net: number;
  /** Members active in the period (WAU for a week). */
  wau: number;
  avgDau: number;
  mau: number;
  /** avgDau ÷ mau; null when mau is 0. */
  stickiness: number | null;
  messages: number;
  replies: number;
  reactions: number;
  /** messages ÷ wau; null when wau is 0. */
  messagesPerActive: number | null;
  /** (replies + reactions) ÷ messages; null when there were no messages. */
  interactionRate: number | null;
  /** Of the members active in the 28 days before the period, the share with no activity in it; null when none were. */
  churn: number | null;
  topContributors: Contributor[];
}

/** The days a period's numbers read: the period, and the 28 days before it (churn) or the MAU window, if longer. */
export function daysRead(period: Period): string[] {
  const days = daysOf(period);
  const mau = daysEndingWith(period.last, MAU_DAYS);
  const churn = daysEndingWith(days[0], CHURN_LOOKBACK_DAYS + 1).slice(0, -1);
  return [...new Set([...churn, ...mau, ...days])].sort();
}

const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);

/** The period's numbers from its rows. */
export async function activityNumbers(rowsOf: DayRows, period: Period): Promise<ActivityNumbers> {
  const days = daysOf(period);
  const read = daysRead(period);
  const byDay = new Map<string, readonly MemberDayRow[]>();
  for (const day of read) byDay.set(day, await rowsOf(day));
  const excluded = new Set<string>();
  for (const rows of byDay.values()) for (const row of rows) if (row.staff || row.bot) excluded.add(row.memberId);
  const counted = (day: string) => (byDay.get(day) ?? []).filter((row) => !excluded.has(row.memberId));

  const totals = { joins: 0, leaves: 0, messages: 0, replies: 0, reactions: 0 };
  const active = new Set<string>();
  const contributors = new Map<string, Contributor>();
  let dauSum = 0;
  for (const day of days) {
    let dau = 0;
    for (const row of counted(day)) {
      totals.joins += row.joins ?? 0;
      totals.leaves += row.leaves ?? 0;
      totals.messages += row.messages ?? 0;
      totals.replies += row.replies ?? 0;
      totals.reactions += row.reactions ?? 0;
      // Replies received count for the tie-break on a day the member was not active too.
      const c = contributors.get(row.memberId) ?? { memberId: row.memberId, activities: 0, repliesReceived: 0 };
      c.repliesReceived += row.repliesReceived ?? 0;
      contributors.set(row.memberId, c);
      if (!isActivity(row)) continue;
      dau++;
      active.add(row.memberId);
      c.activities += (row.messages ?? 0) + (row.reactions ?? 0);
    }
    dauSum += dau;
  }
  const activeIn = (window: string[]) => {
    const ids = new Set<string>();
    for (const day of window) for (const row of counted(day)) if (isActivity(row)) ids.add(row.memberId);
    return ids;
  };
  const mau = activeIn(daysEndingWith(period.last, MAU_DAYS)).size;
  const before = activeIn(daysEndingWith(days[0], CHURN_LOOKBACK_DAYS + 1).slice(0, -1));
  const leftIn = new Set<string>();
  for (const day of days)
    for (const row of counted(day)) if ((row.leaves ?? 0) > (row.joins ?? 0)) leftIn.add(row.memberId);
  const churned = [...before].filter((id) => !active.has(id) || leftIn.has(id)).length;
  const avgDau = dauSum / days.length;
  const wau = active.size;
  return {
    ...totals,
    net: totals.joins - totals.leaves,
    wau,
    avgDau,
    mau,
    stickiness: ratio(avgDau, mau),
    messagesPerActive: ratio(totals.messages, wau),
    interactionRate: ratio(totals.replies + totals.reactions, totals.messages),
    churn: ratio(churned, before.size),
    topContributors: [...contributors.values()]
      .filter((c) => c.activities > 0)
      .sort(
        (a, b) =>
          b.activities - a.activities ||
          b.repliesReceived - a.repliesReceived ||
          (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0),
      )
      .slice(0, TOP_CONTRIBUTORS),
  };
}
