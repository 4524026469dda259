import { RRuleTemporal } from 'rrule-temporal';
import { addDays, dayIn, instantAt, localMinute } from '../../domain/time';
import { type CalendarEntry, REMINDER } from './config';

/**
 * When a calendar entry posts, in the community's zone. Recurrence is read by rrule-temporal (RFC 5545 on
 * Temporal: correct on any host zone and across DST). This module is loaded only by the `calendar` job (the
 * sweeps function) and the CLI, never by the other functions (the library is some 180 KB).
 *
 * Across DST changes:
 * - a recurring post whose local time does not exist that day (02:30 on a spring-forward day in New York or
 *   Berlin) is skipped that day, as the library, following RFC 5545's rule for invalid instances, leaves
 *   it out; the next day's goes as usual;
 * - a recurring post whose local time happens twice (02:30 on the autumn day) goes once, at the first;
 * - a one-off post (`at`) in a gap is moved past it, as far as it was into it (02:30 becomes 03:30): the
 *   event it announces does happen; one in a repeated hour goes at the first.
 */

/** One post of an entry: its instant, and the community's wall-clock time of it (`YYYY-MM-DDTHH:mm`). */
export interface Occurrence {
  entry: string;
  at: Date;
  local: string;
  /** A campaign's reminder: its offset before the event (`-P1D`). */
  reminder?: string;
}

/** The instant of a one-off entry's post, in `zone` (moved past a DST gap, the first of a repeated time). */
function oneOffAt(at: string, zone: string): Date {
  return instantAt({ day: at.slice(0, 10), hour: Number(at.slice(11, 13)), minute: Number(at.slice(14, 16)) }, zone);
}

/**
 * The instant of a reminder `offset` before the one-off post at local `at`: days back on the community's
 * calendar (the same wall-clock time, whatever DST does between), then hours and minutes of elapsed time.
 */
export function reminderAt(at: string, offset: string, zone: string): Date {
  const [, days, hours, minutes] = REMINDER.exec(offset) ?? [];
  const day = addDays(at.slice(0, 10), -Number(days ?? 0));
  const wall = oneOffAt(`${day}${at.slice(10)}`, zone);
  return new Date(wall.getTime() - (Number(hours ?? 0) * 60 + Number(minutes ?? 0)) * 60_000);
}

/** The rule an entry's recurrence is, from the first moment of its start day; throws where the library refuses it. */
export function ruleOf(entry: CalendarEntry, zone: string): RRuleTemporal {
  if (!entry.rrule || !entry.start) throw new Error(`calendar entry ${entry.id} has no rrule with a start day`);
  return new RRuleTemporal({
    rruleString: `DTSTART;TZID=${zone}:${entry.start.replaceAll('-', '')}T000000\nRRULE:${entry.rrule}`,
  });
}

/** Why the recurrence library cannot read an entry's rule, if it cannot. */
export function ruleProblem(entry: CalendarEntry, zone: string): string | undefined {
  if (!entry.rrule) return undefined;
  try {
    ruleOf(entry, zone).next(new Date(`${entry.start}T00:00:00Z`), true);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Whether an occurrence on local `day` is one the entry keeps (not a skip day, not past its end). */
const keeps = (entry: CalendarEntry, day: string) => !entry.skip.includes(day) && (!entry.until || day <= entry.until);

/** The entry's posts with `from < at <= to`, in order. */
export function occurrencesBetween(entry: CalendarEntry, zone: string, from: Date, to: Date): Occurrence[] {
  if (entry.at) {
    const at = entry.at;
    const posts: Occurrence[] = [
      ...entry.reminders.map((reminder) => ({ entry: entry.id, at: reminderAt(at, reminder, zone), reminder })),
      { entry: entry.id, at: oneOffAt(at, zone) },
    ].map((post) => ({ ...post, local: localMinute(post.at, zone) }));
    return posts.filter((post) => post.at > from && post.at <= to).sort((a, b) => a.at.getTime() - b.at.getTime());
  }
  if (!entry.rrule || !entry.start) return [];
  return ruleOf(entry, zone)
    .between(from, to, true)
    .map((zoned) => new Date(zoned.epochMilliseconds))
    .filter((at) => at > from && at <= to && keeps(entry, dayIn(at, zone)))
    .map((at) => ({ entry: entry.id, at, local: localMinute(at, zone) }));
}

/** The next `count` posts of the entries after `from`, in order (at most `count` of each looked at). */
export function nextOccurrences(
  entries: readonly CalendarEntry[],
  zone: string,
  from: Date,
  count: number,
): Occurrence[] {
  const all: Occurrence[] = [];
  for (const entry of entries) {
    if (entry.at) {
      all.push(...occurrencesBetween(entry, zone, from, new Date(8.64e15)));
      continue;
    }
    if (!entry.rrule || !entry.start) continue;
    const rule = ruleOf(entry, zone);
    let after = from;
    // Skipped days are passed over; a rule whose every day is skipped stops at its end or after a bounded look.
    for (let looked = 0, found = 0; found < count && looked < count + entry.skip.length + 1; looked++) {
      const zoned = rule.next(after, false);
      if (!zoned) break;
      const at = new Date(zoned.epochMilliseconds);
      const day = dayIn(at, zone);
      if (entry.until && day > entry.until) break;
      after = at;
      if (!keeps(entry, day)) continue;
      all.push({ entry: entry.id, at, local: localMinute(at, zone) });
      found++;
    }
  }
  return all.sort((a, b) => a.at.getTime() - b.at.getTime() || a.entry.localeCompare(b.entry)).slice(0, count);
}
