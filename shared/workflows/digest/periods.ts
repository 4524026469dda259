import { addDays, dayOf, daysOfIsoWeek, isoWeekOf, lastDayOfMonth } from '../../domain/time';

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

/** The first day of the period of `kind` that `day` falls in. */
function firstDayOf(kind: PeriodKind, day: string): string {
  if (kind === 'week') return daysOfIsoWeek(isoWeekOf(day))?.monday as string;
  const [year, month] = [Number(day.slice(0, 4)), Number(day.slice(5, 7))];
  return dayOf(year, kind === 'month' ? month : month - ((month - 1) % 3), 1) as string;
}

function periodFrom(kind: PeriodKind, first: string): Period {
  const [year, month] = [Number(first.slice(0, 4)), Number(first.slice(5, 7))];
  if (kind === 'week') return { kind, key: isoWeekOf(first), first, last: addDays(first, 6) };
  if (kind === 'month') return { kind, key: first.slice(0, 7), first, last: lastDayOfMonth(year, month) };
  return { kind, key: `${year}-Q${(month + 2) / 3}`, first, last: lastDayOfMonth(year, month + 2) };
}

/** The period of `kind` that `day` falls in. */
export const periodOf = (kind: PeriodKind, day: string): Period => periodFrom(kind, firstDayOf(kind, day));

const KEY_FORMS: Record<Exclude<PeriodKind, 'week'>, RegExp> = {
  month: /^(\d{4})-(\d{2})$/,
  quarter: /^(\d{4})-Q([1-4])$/,
};

/** The period a key names (`2026-W53`, `2026-11`, `2026-Q4`), or undefined when it names none. */
export function parsePeriod(kind: PeriodKind, key: string): Period | undefined {
  if (kind === 'week') {
    // A week 53 of a year that has none is refused there.
    const week = daysOfIsoWeek(key);
    return week ? periodFrom('week', week.monday) : undefined;
  }
  const match = KEY_FORMS[kind].exec(key);
  if (!match) return undefined;
  const [year, n] = [Number(match[1]), Number(match[2])];
  const start = dayOf(year, kind === 'month' ? n : 3 * (n - 1) + 1, 1);
  if (!start) return undefined;
  const period = periodFrom(kind, start);
  return period.key === key ? period : undefined;
}

/** The period before `period`, of the same kind. */
export const previousPeriod = (period: Period): Period => periodOf(period.kind, addDays(period.first, -1));

/** The `n` periods before `period`, newest first. */
export function periodsBefore(period: Period, n: number): Period[] {
  const periods: Period[] = [];
  for (let p = previousPeriod(period); periods.length < n; p = previousPeriod(p)) periods.push(p);
  return periods;
}

/** The period after `period`, of the same kind. */
export const nextPeriod = (period: Period): Period => periodOf(period.kind, addDays(period.last, 1));

/** Every day of `period`, in order. */
export function daysOf(period: Pick<Period, 'first' | 'last'>): string[] {
  const days: string[] = [];
  for (let day = period.first; day <= period.last; day = addDays(day, 1)) days.push(day);
  return days;
}

/** The `n` days that end with `last`, in order. */
export const daysEndingWith = (last: string, n: number): string[] => daysOf({ first: addDays(last, -(n - 1)), last });
