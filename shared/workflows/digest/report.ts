import type { CommunityConfig } from '../../domain/config';
import { dayIn, daysBetween } from '../../domain/time';
import type { Db } from '../../store/db';
import { type CalendarReport, calendarReport } from '../calendar/report';
import { goodWhenUp } from './directions';
import {
  type Change,
  changeOf,
  keptOf,
  METRICS,
  memberNames,
  metricsOf,
  type PeriodNumbers,
  periodNumbers,
} from './numbers';
import { type Period, periodOf, periodsBefore } from './periods';
import { type KeptNumbers, keepNumbers } from './store';

/**
 * A digest: one period's numbers, each metric against the period before, the
 * 8-period trends, the community's targets and what needs an operator. The
 * same for a week, a month and a quarter.
 */

/** How many periods the trends show, this one included. */
export const TREND_PERIODS = 8;
/** The periods before this one that the attention thresholds and a target's pace average over. */
export const PACE_PERIODS = 4;
/** At or below this share of its 4-period average, activation or WAU needs attention. */
export const LOW = 0.8;
/** At or above this share of its 4-period average, churn or leaves need attention. */
export const HIGH = 1.2;

/** One target's standing. */
export interface TargetProgress {
  metric: string;
  value: number;
  by: string;
  current: number | null;
  /** The share of the way from the start value to the target; null when it cannot be said. */
  progress: number | null;
  /** Where the pace of the last 4 periods gets by the target's date; whether that reaches it. */
  projected: number | null;
  onPace: boolean | null;
}

/** Something that crossed a threshold, and what to look at. */
export interface Attention {
  metric: string;
  /** Why: `low`, `high`, `failed`, `offPace`. */
  kind: 'low' | 'high' | 'failed' | 'offPace';
  value: number;
  /** The 4-period average (or the target) it was measured against. */
  against: number;
  /** An off-pace target's date, and where the pace gets by then. */
  by?: string;
  projected?: number;
}

export interface DigestReport {
  community: { id: string; name: string; timezone: string; locale: string };
  period: Period;
  numbers: PeriodNumbers;
  changes: Record<string, Change>;
  trends: Array<{ period: string; members: number | null; wau: number | null; messages: number | null }>;
  targets: TargetProgress[];
  attention: Attention[];
  /** What the operations calendar posted and how members responded; the challenges that ran. */
  calendar: DigestCalendar;
}

/** The calendar's part of a digest, its challenges' longest streaks by name where the member has one. */
export type DigestCalendar = Omit<CalendarReport, 'challenges'> & {
  challenges: Array<
    Omit<CalendarReport['challenges'][number], 'longest'> & {
      longest: Array<{ memberId: string; name?: string; best: number }>;
    }
  >;
};

const average = (values: Array<number | null>): number | null => {
  const known = values.filter((v): v is number => v !== null);
  return known.length === 0 ? null : known.reduce((a, b) => a + b, 0) / known.length;
};

/** The digest of `period` as of `now`. */
export async function digestReport(
  db: Db,
  community: CommunityConfig,
  period: Period,
  now: Date,
): Promise<DigestReport> {
  const earlier = periodsBefore(period, TREND_PERIODS - 1);
  // The period's numbers and the earlier periods' (kept rows, once kept) side by side.
  const [numbers, history, calendar] = await Promise.all([
    periodNumbers(db, community, period),
    Promise.all(earlier.map((p): Promise<KeptNumbers> => metricsOf(db, community, p, now))),
    namedCalendar(db, community, period),
  ]);
  const current = keptOf(numbers);
  // A finished period is kept as its digest is built, so next period's changes and trends read a row.
  if (period.last < dayIn(now, community.timezone)) await keepNumbers(db, community.id, period, current);
  const previous = history[0];
  const changes = Object.fromEntries(METRICS.map((m) => [m, changeOf(m, current[m], previous[m])]));
  const trends = [...earlier.map((p, i) => ({ p, kept: history[i] })).reverse(), { p: period, kept: current }].map(
    ({ p, kept }) => ({ period: p.key, members: kept.members, wau: kept.wau, messages: kept.messages }),
  );
  const pace = history.slice(0, PACE_PERIODS);
  const attention: Attention[] = [];
  const compare = (metric: string, kind: 'low' | 'high') => {
    const value = current[metric];
    const avg = average(pace.map((k) => k[metric]));
    if (value === null || avg === null || avg === 0) return;
    if (kind === 'low' ? value <= LOW * avg : value >= HIGH * avg)
      attention.push({ metric, kind, value, against: avg });
  };
  compare('activation', 'low');
  compare('wau', 'low');
  compare('churn', 'high');
  compare('leaves', 'high');
  if (numbers.automation.failedWaiting > 0) {
    attention.push({ metric: 'failedWaiting', kind: 'failed', value: numbers.automation.failedWaiting, against: 0 });
  }
  const targets: TargetProgress[] = await Promise.all(
    community.targets.map(async (target) => {
      // From the period its `from` falls in, when it names one (and that period has begun).
      const start =
        target.from && target.from <= period.last
          ? (await metricsOf(db, community, periodOf(period.kind, target.from), now))[target.metric]
          : undefined;
      return targetProgress(target, current, pace, period, start);
    }),
  );
  for (const t of targets) {
    if (t.onPace === false)
      attention.push({
        metric: t.metric,
        kind: 'offPace',
        value: t.current ?? 0,
        against: t.value,
        by: t.by,
        ...(t.projected === null ? {} : { projected: t.projected }),
      });
  }
  return {
    community: { id: community.id, name: community.name, timezone: community.timezone, locale: community.locale },
    period,
    numbers,
    changes,
    trends,
    targets,
    attention,
    calendar,
  };
}

/** The calendar's report of the period, the longest streaks named (one batch read of at most 3 a challenge). */
async function namedCalendar(db: Db, community: CommunityConfig, period: Period): Promise<DigestCalendar> {
  const report = await calendarReport(db, community, period);
  const names = await memberNames(
    db,
    community.id,
    report.challenges.flatMap((c) => c.longest.map((l) => l.memberId)),
  );
  return {
    ...report,
    challenges: report.challenges.map((c) => ({
      ...c,
      longest: c.longest.map((l) => (names.has(l.memberId) ? { ...l, name: names.get(l.memberId) } : l)),
    })),
  };
}

/**
 * A target's progress: from the value of the oldest of the last 4 periods
 * (or its `from`) to the target; its pace is the mean change per period over
 * those 4, carried on to its date.
 */
function targetProgress(
  target: CommunityConfig['targets'][number],
  current: KeptNumbers,
  pace: KeptNumbers[],
  period: Period,
  /** The metric's value in the period of the target's `from`, when it has one. */
  start: number | null | undefined,
): TargetProgress {
  const value = current[target.metric];
  const base = { metric: target.metric, value: target.value, by: target.by, current: value };
  const oldest = [...pace].reverse().find((k) => k[target.metric] !== null)?.[target.metric] ?? null;
  if (value === null || oldest === null) return { ...base, progress: null, projected: null, onPace: null };
  const from = start ?? oldest;
  const span = pace.filter((k) => k[target.metric] !== null).length;
  const perPeriod = span === 0 ? 0 : (value - oldest) / span;
  const periodDays = daysBetween(period.first, period.last) + 1;
  const left = Math.max(0, daysBetween(period.last, target.by) / periodDays);
  const projected = value + perPeriod * left;
  const up = goodWhenUp(target.metric);
  const reached = up ? projected >= target.value : projected <= target.value;
  const distance = target.value - from;
  return {
    ...base,
    progress: distance === 0 ? 1 : Math.min(1, Math.max(0, (value - from) / distance)),
    projected,
    onPace: reached,
  };
}
