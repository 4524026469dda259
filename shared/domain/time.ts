import { DateTime } from 'luxon';

/** The calendar day (YYYY-MM-DD) an instant falls on in a time zone. */
export function dayIn(instant: Date, timeZone: string): string {
  return DateTime.fromJSDate(instant, { zone: timeZone }).toISODate() as string;
}

/** Whole calendar days from day `a` to day `b` (both YYYY-MM-DD); negative if b is earlier. */
export function daysBetween(a: string, b: string): number {
  const from = DateTime.fromISO(a, { zone: 'utc' });
  const to = DateTime.fromISO(b, { zone: 'utc' });
  return Math.round(to.diff(from, 'days').days);
}

/** The day `n` days after `day` (YYYY-MM-DD). */
export function addDays(day: string, n: number): string {
  return DateTime.fromISO(day, { zone: 'utc' }).plus({ days: n }).toISODate() as string;
}

/** Unix seconds of an instant. */
export const unixSeconds = (instant: Date): number => Math.floor(instant.getTime() / 1000);
