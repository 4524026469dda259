import { addDays, instantAt } from './time';

/**
 * When lifecycle messages are due, as pure functions of the time: birthday
 * greetings at a local hour, win-backs at a local hour, and the calendar
 * arithmetic the sweeps need. Time zones and DST come from `instantAt` (time.ts).
 */

/** Real UTC offsets span UTC−12 to UTC+14. */
const EARLIEST_OFFSET_H = -12;
const LATEST_OFFSET_H = 14;
const HOUR_MS = 3_600_000;

const isLeap = (year: number): boolean => new Date(Date.UTC(year, 1, 29)).getUTCMonth() === 1;

/**
 * The month-day (`MM-DD`) a birthday is greeted on in `year`: its own, except
 * that 29 February is greeted on 28 February in years without one.
 */
export function greetingMonthDay(birthday: string, year: number): string {
  const monthDay = birthday.slice(-5);
  return monthDay === '02-29' && !isLeap(year) ? '02-28' : monthDay;
}

/**
 * The instant a local date (`YYYY-MM-DD`) reaches `hour`:00 in `timeZone`; a skipped hour resolves forward, a
 * repeated one to its first time.
 */
export function localHourOn(day: string, hour: number, timeZone: string): Date {
  return instantAt({ day, hour }, timeZone);
}

/** The instant a local date ends (the next day's midnight, or the first instant after it) in `timeZone`. */
export function endOfLocalDay(day: string, timeZone: string): Date {
  return instantAt({ day: addDays(day, 1), hour: 0 }, timeZone);
}

/**
 * The calendar dates on which a greeting at one of `hours` could fall inside
 * [from, to) somewhere on Earth: for a date D, the greeting is at D `hour`:00
 * local, which is D 00:00 UTC plus `hour` minus the zone's offset (−12 h to
 * +14 h).
 */
export function candidateDates(from: Date, to: Date, hours: Iterable<number>): string[] {
  const dates = new Set<string>();
  for (const hour of new Set(hours)) {
    // D 00:00 UTC lies in [from − hour − 12 h, to − hour + 14 h).
    const lo = from.getTime() - (hour - EARLIEST_OFFSET_H) * HOUR_MS;
    const hi = to.getTime() - (hour - LATEST_OFFSET_H) * HOUR_MS;
    for (let t = Date.parse(`${new Date(lo).toISOString().slice(0, 10)}T00:00:00Z`); t < hi; t += 24 * HOUR_MS) {
      if (t >= lo) dates.add(new Date(t).toISOString().slice(0, 10));
    }
  }
  return [...dates].sort();
}

/**
 * The month-days to look up for those dates: each date's own, and 29 February
 * beside the 28th in years without one.
 */
export function monthDaysToQuery(dates: readonly string[]): string[] {
  const monthDays = new Set<string>();
  for (const day of dates) {
    monthDays.add(day.slice(5));
    if (day.slice(5) === '02-28' && !isLeap(Number(day.slice(0, 4)))) monthDays.add('02-29');
  }
  return [...monthDays].sort();
}
