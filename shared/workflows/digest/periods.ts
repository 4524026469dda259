import { DateTime } from 'luxon';
import { daysOfIsoWeek, isoWeekOf } from '../../domain/time';

/**
 * The periods a digest covers: an ISO week (`2026-W53`), a month (`2026-11`)
 * or a quarter (`2026-Q4`), each a run of calendar days in the community's
 * zone (docs/kpis.md, "Days and weeks"). Days are `YYYY-MM-DD`, computed on
 * the calendar alone (UTC dates), so no host zone or DST can move them.
 */
export type PeriodKind = 'week' | 'month' | 'quarter';

export interface Period {
  kind: PeriodKind;
  /** `2026-W53`, `2026-11` or `2026-Q4`: a week's key always carries its ISO year. */
  key: string;
  /** Its first and last day. */
  first: string;
  last: string;
}

const date = (day: string) => DateTime.fromISO(day, { zone: 'utc' });
const iso = (value: DateTime) => value.toISODate() as string;

function periodFrom(kind: PeriodKind, start: DateTime): Period {
  const unit = kind === 'week' ? 'week' : kind === 'month' ? 'month' : 'quarter';
  const first = kind === 'week' ? start.startOf('week') : start.startOf(unit);
  const last = first.endOf(unit);
  const key =
    kind === 'week'
      ? isoWeekOf(iso(first))
      : kind === 'month'
        ? first.toFormat('yyyy-MM')
        : `${first.year}-Q${first.quarter}`;
  return { kind, key, first: iso(first), last: iso(last) };
}

/** The period of `kind` that `day` falls in. */
export const periodOf = (kind: PeriodKind, day: string): Period => periodFrom(kind, date(day));

const KEY_FORMS: Record<Exclude<PeriodKind, 'week'>, RegExp> = {
  month: /^(\d{4})-(\d{2})$/,
  quarter: /^(\d{4})-Q([1-4])$/,
};

/** The period a key names (`2026-W53`, `2026-11`, `2026-Q4`), or undefined when it names none. */
export function parsePeriod(kind: PeriodKind, key: string): Period | undefined {
  if (kind === 'week') {
    // A week 53 of a year that has none is refused there.
    const week = daysOfIsoWeek(key);
    return week ? periodFrom('week', date(week.monday)) : undefined;
  }
  const match = KEY_FORMS[kind].exec(key);
  if (!match) return undefined;
  const [year, n] = [Number(match[1]), Number(match[2])];
  const start =
    kind === 'month'
      ? DateTime.fromObject({ year, month: n, day: 1 }, { zone: 'utc' })
      : DateTime.fromObject({ year, month: 3 * (n - 1) + 1, day: 1 }, { zone: 'utc' });
  if (!start.isValid) return undefined;
  const period = periodFrom(kind, start);
  return period.key === key ? period : undefined;
}

/** The period before `period`, of the same kind. */
export const previousPeriod = (period: Period): Period =>
  periodOf(period.kind, iso(date(period.first).minus({ days: 1 })));

/** The `n` periods before `period`, newest first. */
export function periodsBefore(period: Period, n: number): Period[] {
  const periods: Period[] = [];
  for (let p = previousPeriod(period); periods.length < n; p = previousPeriod(p)) periods.push(p);
  return periods;
}

/** The period after `period`, of the same kind. */
export const nextPeriod = (period: Period): Period => periodOf(period.kind, iso(date(period.last).plus({ days: 1 })));

/** Every day of `period`, in order. */
export function daysOf(period: Pick<Period, 'first' | 'last'>): string[] {
  const days: string[] = [];
  for (let day = date(period.first); iso(day) <= period.last; day = day.plus({ days: 1 })) days.push(iso(day));
  return days;
}

/** The `n` days that end with `last`, in order. */
export const daysEndingWith = (last: string, n: number): string[] =>
  daysOf({ first: iso(date(last).minus({ days: n - 1 })), last });
