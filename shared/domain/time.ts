import { TZDate, tzOffset } from '@date-fns/tz';
import { getISOWeek, getISOWeekYear, setISOWeek, startOfISOWeek } from 'date-fns';

/**
 * Calendar arithmetic. Days are `YYYY-MM-DD` on the calendar alone; a zone's
 * offsets come from the runtime's time-zone database (ICU, through Intl), read
 * by @date-fns/tz, never written here: `instantAt` only chooses between the
 * instants those offsets allow.
 */

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * The calendar day (YYYY-MM-DD) an instant falls on in a time zone. Called
 * once per inbound event, so it keeps one formatter per zone.
 */
export function dayIn(instant: Date, timeZone: string): string {
  let format = dayFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timeZone, format);
  }
  let year = '';
  let month = '';
  let day = '';
  for (const part of format.formatToParts(instant)) {
    if (part.type === 'year') year = part.value;
    else if (part.type === 'month') month = part.value;
    else if (part.type === 'day') day = part.value;
  }
  return `${year}-${month}-${day}`;
}

/** Whether the runtime knows `zone` as a time zone (what Intl accepts, as luxon's `isValidZone` asked). */
export function isTimeZone(zone: string): boolean {
  if (dayFormats.has(zone)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/** A wall-clock time on a day (`YYYY-MM-DD`), as a member's or a community's calendar shows it. */
export interface WallTime {
  day: string;
  hour: number;
  minute?: number;
  second?: number;
  millisecond?: number;
}

/**
 * The instant a wall-clock time is in `zone`, resolved as Temporal's `compatible` disambiguation (and luxon)
 * resolve it: a time a DST change repeats is its earlier instant, a time it skips lands as far past the gap
 * as it was into it (02:30 in a spring-forward gap is 03:30). The offsets are the zone's own, read through
 * @date-fns/tz (Intl's time-zone database) on each side of the wall time: only the choice between the
 * candidate instants is made here. `prefer: 'later'` takes the second of a repeated time instead.
 */
export function instantAt(wall: WallTime, zone: string, prefer: 'earlier' | 'later' = 'earlier'): Date {
  const asUtc =
    utcMidnight(wall.day) +
    wall.hour * 3_600_000 +
    (wall.minute ?? 0) * MINUTE_MS +
    (wall.second ?? 0) * 1000 +
    (wall.millisecond ?? 0);
  // Real offsets span UTC-12 to UTC+14; a day either side brackets any transition at this wall time.
  const before = tzOffset(zone, new Date(asUtc - DAY_MS)) * MINUTE_MS;
  const after = tzOffset(zone, new Date(asUtc + DAY_MS)) * MINUTE_MS;
  const candidates = [...new Set([asUtc - before, asUtc - after])]
    .filter((instant) => tzOffset(zone, new Date(instant)) * MINUTE_MS === asUtc - instant)
    .sort((a, b) => a - b);
  // Repeated: the earlier (or, asked, the later). Skipped: the wall time read with the offset before the change,
  // past the gap.
  if (candidates.length === 0) return new Date(asUtc - before);
  return new Date(prefer === 'earlier' ? candidates[0] : candidates[candidates.length - 1]);
}

/** The wall-clock time an instant shows in `zone`. */
export function wallTimeOf(instant: Date, zone: string): Required<WallTime> {
  const local = new TZDate(instant.getTime(), zone);
  return {
    day: dayIn(instant, zone),
    hour: local.getHours(),
    minute: local.getMinutes(),
    second: local.getSeconds(),
    millisecond: local.getMilliseconds(),
  };
}

/** The wall-clock time `YYYY-MM-DDTHH:mm` of an instant in `zone`. */
export function localMinute(instant: Date, zone: string): string {
  const { day, hour, minute } = wallTimeOf(instant, zone);
  return `${day}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}

/** A day's UTC midnight, in milliseconds. */
const utcMidnight = (day: string): number => Date.parse(`${day}T00:00:00Z`);

/** The day of a UTC instant. */
const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/**
 * A day from its four-digit year, month (1-12) and day of month, or undefined when that is no date
 * (2027-02-29). Years before 1000 are refused: `Date.UTC` would read 50 as 1950.
 */
export function dayOf(year: number, month: number, dayOfMonth: number): string | undefined {
  const at = new Date(Date.UTC(year, month - 1, dayOfMonth));
  if (year < 1000 || year > 9999 || at.getUTCMonth() !== month - 1 || at.getUTCDate() !== dayOfMonth) return undefined;
  return utcDay(at.getTime());
}

/** Whether `day` (YYYY-MM-DD) is a date of the calendar. */
export function isDay(day: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  return match !== null && dayOf(Number(match[1]), Number(match[2]), Number(match[3])) === day;
}

/** Whole calendar days from day `a` to day `b` (both YYYY-MM-DD); negative if b is earlier. */
export const daysBetween = (a: string, b: string): number => Math.round((utcMidnight(b) - utcMidnight(a)) / DAY_MS);

/** `day` plus `n` calendar days (both YYYY-MM-DD). */
export const addDays = (day: string, n: number): string => utcDay(utcMidnight(day) + n * DAY_MS);

/** The last day of a month (1-12). */
export const lastDayOfMonth = (year: number, month: number): string => utcDay(Date.UTC(year, month, 0));

/** Unix seconds of an instant. */
export const unixSeconds = (instant: Date): number => Math.floor(instant.getTime() / 1000);

/** A day as a date in UTC, for date-fns's calendar functions. */
const utcDate = (day: string) => new TZDate(utcMidnight(day), 'UTC');

/** The ISO week a day (YYYY-MM-DD) falls in, with its ISO year: `2026-W53` (docs/kpis.md). */
export function isoWeekOf(day: string): string {
  const date = utcDate(day);
  return `${getISOWeekYear(date)}-W${String(getISOWeek(date)).padStart(2, '0')}`;
}

/** The Monday and Sunday of an ISO week (`2026-W53`), or undefined when it is not one. */
export function daysOfIsoWeek(week: string): { monday: string; sunday: string } | undefined {
  const match = /^(\d{4})-W(\d{2})$/.exec(week);
  if (!match) return undefined;
  // The 4th of January is always in week 1 of its ISO year.
  const fourth = utcDate(`${match[1]}-01-04`);
  const monday = utcDay(startOfISOWeek(setISOWeek(fourth, Number(match[2]))).getTime());
  if (isoWeekOf(monday) !== week) return undefined;
  return { monday, sunday: addDays(monday, 6) };
}
