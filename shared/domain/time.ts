import { DateTime } from 'luxon';

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * The calendar day (YYYY-MM-DD) an instant falls on in a time zone. Called
 * once per inbound event, so it asks the runtime's time-zone database (ICU,
 * through Intl; the same one luxon reads) with one cached formatter per zone
 * instead of building a luxon DateTime each time.
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

/** Whole calendar days from day `a` to day `b` (both YYYY-MM-DD); negative if b is earlier. */
export function daysBetween(a: string, b: string): number {
  const from = DateTime.fromISO(a, { zone: 'utc' });
  const to = DateTime.fromISO(b, { zone: 'utc' });
  return Math.round(to.diff(from, 'days').days);
}

/** `day` plus `n` calendar days (both YYYY-MM-DD). */
export function addDays(day: string, n: number): string {
  return DateTime.fromISO(day, { zone: 'utc' }).plus({ days: n }).toISODate() as string;
}

/** Unix seconds of an instant. */
export const unixSeconds = (instant: Date): number => Math.floor(instant.getTime() / 1000);

/** The ISO week a day (YYYY-MM-DD) falls in, with its ISO year: `2026-W53` (docs/kpis.md). */
export const isoWeekOf = (day: string): string => DateTime.fromISO(day, { zone: 'utc' }).toFormat("kkkk-'W'WW");

/** The Monday and Sunday of an ISO week (`2026-W53`), or undefined when it is not one. */
export function daysOfIsoWeek(week: string): { monday: string; sunday: string } | undefined {
  const match = /^(\d{4})-W(\d{2})$/.exec(week);
  if (!match) return undefined;
  const monday = DateTime.fromObject(
    { weekYear: Number(match[1]), weekNumber: Number(match[2]), weekday: 1 },
    { zone: 'utc' },
  );
  if (!monday.isValid || monday.toFormat("kkkk-'W'WW") !== week) return undefined;
  return { monday: monday.toISODate() as string, sunday: monday.plus({ days: 6 }).toISODate() as string };
}
