import { addDays, instantAt, wallTimeOf } from './time';

/**
 * The guardrails the dispatcher applies at send time, as pure functions of
 * the time: quiet hours in the member's time zone, and the frequency cap.
 */

/** A daily window of local time (`HH:MM`); it may cross midnight. Equal ends mean no window. */
export interface QuietHours {
  start: string;
  end: string;
}

const minutesOf = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
};

/**
 * When the quiet hours that hold `now` end in `timeZone`, or undefined when
 * `now` is outside them. The end is the wall-clock time in the zone on the
 * right day, so a DST change inside the window moves the instant, not the
 * local hour (an end that falls in a skipped hour resolves forward).
 */
export function quietUntil(now: Date, timeZone: string, quiet: QuietHours): Date | undefined {
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  if (start === end) return undefined;
  const local = wallTimeOf(now, timeZone);
  const minute = local.hour * 60 + local.minute;
  const inside = start < end ? minute >= start && minute < end : minute >= start || minute < end;
  if (!inside) return undefined;
  // Crossing midnight and already past the start: the window ends tomorrow.
  const endDay = start > end && minute >= start ? addDays(local.day, 1) : local.day;
  const wall = { day: endDay, hour: Math.floor(end / 60), minute: end % 60 };
  // An end in an hour a DST change repeats is its first time still ahead: the second when `now` is in it.
  const first = instantAt(wall, timeZone);
  return first > now ? first : instantAt(wall, timeZone, 'later');
}

/** At most `perDay` capped messages in any 24 hours and `perWeek` in any 7 days. */
export interface Caps {
  perDay: number;
  perWeek: number;
}

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

/**
 * The member's recent capped messages: the cap key of each (an outbox id; a
 * greeting sent both in the channel and by DM shares one) and when it went.
 */
export type CapLedger = Readonly<Record<string, string>>;

/** The ledger without entries older than a week: they can no longer count. */
export function pruneLedger(ledger: CapLedger, now: Date): Record<string, string> {
  return Object.fromEntries(Object.entries(ledger).filter(([, at]) => now.getTime() - Date.parse(at) < WEEK_MS));
}

/**
 * When the message with cap key `key` may go, if not now: the moment the
 * oldest send that fills the day's or the week's allowance is 24 hours or 7
 * days old. A key already in the ledger was counted already (a retry, or the
 * second copy of a greeting sent both ways) and may go at once.
 */
export function capWait(ledger: CapLedger, key: string, now: Date, caps: Caps): Date | undefined {
  if (ledger[key] !== undefined) return undefined;
  // Every entry counts, even one stamped after `now`: another dispatcher run, started later, reserved it.
  const sends = Object.values(ledger)
    .map((at) => Date.parse(at))
    .sort((a, b) => b - a);
  const free = (limit: number, windowMs: number): number => {
    const inWindow = sends.filter((at) => now.getTime() - at < windowMs);
    // The limit-th most recent send leaves the window at this time; after it, one slot is free.
    return inWindow.length >= limit ? inWindow[limit - 1] + windowMs : 0;
  };
  const at = Math.max(free(caps.perDay, DAY_MS), free(caps.perWeek, WEEK_MS));
  return at > now.getTime() ? new Date(at) : undefined;
}

/**
 * Whether a message due at local `hour` falls in quiet hours that last past
 * midnight, so that it would wait into the next day: a greeting for a day
 * (a birthday, an anniversary, a holiday) could then never go on its day.
 */
export function waitsPastMidnight(quietHours: { start: string; end: string }, hour: number): boolean {
  const [start, end] = [quietHours.start, quietHours.end].map((t) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3)));
  return start > end && hour * 60 >= start;
}

/** The config problem of a greeting `hour` that {@link waitsPastMidnight}, if it does. */
export function greetingHourProblem(quietHours: { start: string; end: string }, hour: number): string | undefined {
  return waitsPastMidnight(quietHours, hour)
    ? `falls in quiet hours (${quietHours.start}–${quietHours.end}), so no greeting could go on the day`
    : undefined;
}
