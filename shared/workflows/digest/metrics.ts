import { isActivity } from '../../domain/events';
import { type MemberDayRow, messageInstants } from '../../store/days';
import type { MembershipDay } from '../../store/membership';
import { daysEndingWith, daysOf, type Period, periodsBefore, previousPeriod } from './periods';

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
  /** The member's name, where they have one (added by the digest's numbers). */
  name?: string;
  activities: number;
  repliesReceived: number;
}

/** One cell of the retention table: of the cohort whose first join fell in `cohort`, the share active `k` periods on. */
export interface RetentionCell {
  cohort: string;
  k: number;
  /** Null when the cohort is empty. */
  rate: number | null;
  /** The cohort's size. */
  size: number;
}

/** What the digest reports for a period (names as docs/contract.md gives them; rates are fractions). */
export interface ActivityNumbers {
  /** Members at the end of the period, and at its start (the end of the one before). */
  members: number;
  membersAtStart: number;
  /** net ÷ members at the start; null when there were none. */
  growthRate: number | null;
  /** Of the members whose join fell in the period before, the share active within 7 × 24 h of it; null when none joined. */
  activation: number | null;
  /** The newcomers `activation` is the share of. */
  newcomers: number;
  retention: RetentionCell[];
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

/** How many join cohorts the retention table shows (the periods before this one). */
export const COHORTS = 4;
/** The window of activation after a join. */
export const ACTIVATION_SECONDS = 7 * 86_400;

/**
 * The days a period's numbers read: the period, the 28 days before it (churn), the MAU window, and the
 * cohorts' periods (retention; the one before also holds activation's newcomers). For a week, 35 days.
 */
export function daysRead(period: Period): string[] {
  const days = daysOf(period);
  const mau = daysEndingWith(period.last, MAU_DAYS);
  const churn = daysEndingWith(days[0], CHURN_LOOKBACK_DAYS + 1).slice(0, -1);
  const cohorts = periodsBefore(period, COHORTS).flatMap(daysOf);
  return [...new Set([...churn, ...mau, ...cohorts, ...days])].sort();
}

/** a ÷ b; null ("n/a") when b is 0. */
export const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);

/** The period's numbers from its rows and the community's membership days (up to the period's end, at least; or a read of them). */
export async function activityNumbers(
  rowsOf: DayRows,
  period: Period,
  membershipDays: readonly MembershipDay[] | Promise<readonly MembershipDay[]>,
): Promise<ActivityNumbers> {
  const days = daysOf(period);
  const read = daysRead(period);
  // Each day is its own partition: read them side by side (and beside the membership), not one after another.
  const [rows, membership] = await Promise.all([Promise.all(read.map((day) => rowsOf(day))), membershipDays]);
  const byDay = new Map<string, readonly MemberDayRow[]>(read.map((day, i) => [day, rows[i]]));
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
  const membersAt = (day: string) => membership.filter((m) => m.day <= day).reduce((sum, m) => sum + m.delta, 0);
  const members = membersAt(period.last);
  const membersAtStart = membersAt(previousPeriod(period).last);
  const net = totals.joins - totals.leaves;
  const { activation, newcomers } = activationOf(previousPeriod(period), byDay, excluded);
  return {
    members,
    membersAtStart,
    growthRate: ratio(net, membersAtStart),
    activation,
    newcomers,
    retention: retentionOf(period, membership, activeIn, excluded),
    ...totals,
    net,
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

/**
 * Activation of the newcomers of `joined` (the period before): each member
 * whose join fell in it, once, at their first join in it, and whether they had
 * an activity (a message or a reaction) within 7 × 24 hours after it. The
 * seconds come from the day rows (`msgAt`, `reactAt`, `joinAt`).
 */
function activationOf(
  joined: Period,
  byDay: Map<string, readonly MemberDayRow[]>,
  excluded: Set<string>,
): { activation: number | null; newcomers: number } {
  const joinAt = new Map<string, number>();
  for (const day of daysOf(joined)) {
    for (const row of byDay.get(day) ?? []) {
      if (excluded.has(row.memberId) || joinAt.has(row.memberId)) continue;
      const seconds = messageInstants(row, 'joinAt');
      if (seconds.length) joinAt.set(row.memberId, Math.min(...seconds));
    }
  }
  const activity = new Map<string, number[]>();
  for (const rows of byDay.values()) {
    for (const row of rows) {
      if (!joinAt.has(row.memberId)) continue;
      const seconds = [...messageInstants(row, 'msgAt'), ...messageInstants(row, 'reactAt')];
      activity.set(row.memberId, [...(activity.get(row.memberId) ?? []), ...seconds]);
    }
  }
  let activated = 0;
  for (const [memberId, at] of joinAt) {
    if ((activity.get(memberId) ?? []).some((s) => s >= at && s <= at + ACTIVATION_SECONDS)) activated++;
  }
  return { activation: ratio(activated, joinAt.size), newcomers: joinAt.size };
}

/** Retention of the last four cohorts (first joins), each for every k up to this period. */
function retentionOf(
  period: Period,
  membership: readonly MembershipDay[],
  activeIn: (days: string[]) => Set<string>,
  excluded: Set<string>,
): RetentionCell[] {
  const cells: RetentionCell[] = [];
  const cohorts = periodsBefore(period, COHORTS);
  cohorts.forEach((cohort, i) => {
    const members = new Set<string>();
    for (const m of membership) {
      if (m.day < cohort.first || m.day > cohort.last) continue;
      for (const id of m.firstJoins) if (!excluded.has(id)) members.add(id);
    }
    // Cohort C (i + 1 periods back) is followed for k = 1 … i + 1: up to this period.
    let later = cohort;
    for (let k = 1; k <= i + 1; k++) {
      later = nextOf(later, cohorts, period);
      const active = activeIn(daysOf(later));
      const kept = [...members].filter((id) => active.has(id)).length;
      cells.push({ cohort: cohort.key, k, rate: ratio(kept, members.size), size: members.size });
    }
  });
  return cells;
}

/** The period after `p` among the cohorts' (newest first) and then `period`. */
function nextOf(p: Period, cohorts: Period[], period: Period): Period {
  const i = cohorts.findIndex((c) => c.key === p.key);
  return i <= 0 ? period : cohorts[i - 1];
}
