import type { CommunityConfig } from '../domain/config';
import { candidateDates, endOfLocalDay, greetingMonthDay, monthDaysToQuery } from '../domain/lifecycle';
import type { Db } from '../store/db';
import { outboxId } from '../store/keys';
import type { MemberEntry } from '../store/members';
import { enqueue } from '../store/outbox';
import { getSweepMark, setSweepMark } from '../store/sweeps';

/**
 * What the greetings of a member's day share (birthdays, anniversaries): the
 * hourly window a sweep decides, the month-days to look up for it, who may be
 * greeted, and the greeting itself in the channel, by DM, or both.
 */

const HOUR_MS = 3_600_000;
/** A scheduled run catches up at most this far back after missed runs. */
export const GREETING_CATCH_UP_MS = 24 * HOUR_MS;

/** The window one hourly greeting sweep decides, and the dates and month-days that can fall in it. */
export interface GreetingWindow {
  from: Date;
  to: Date;
  /** Calendar dates on which a greeting at one of the hours falls in the window somewhere on Earth. */
  dates: string[];
  /** The month-days to query for those dates (29 February beside the 28th in other years). */
  monthDays: string[];
}

/**
 * The window of an hourly greeting sweep at `now`, with H the start of its
 * hour: a scheduled run decides [its mark, H + 1 h) (at most a day back) and
 * `done` moves the mark; an as-of run decides [H − 1 h, H + 1 h). Windows run
 * on whole hours, so a run repeated within an hour finds its window decided.
 */
export async function greetingWindow(
  db: Db,
  job: string,
  now: Date,
  hours: readonly number[],
  options: { asOf?: boolean },
): Promise<GreetingWindow & { done: () => Promise<void> }> {
  const hour = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS;
  const to = new Date(hour + HOUR_MS);
  const mark = options.asOf ? undefined : await getSweepMark(db, job);
  const earliest = hour - (options.asOf ? HOUR_MS : GREETING_CATCH_UP_MS);
  const from = new Date(Math.max(mark ? Date.parse(mark) : hour - HOUR_MS, earliest));
  const dates = from < to ? candidateDates(from, to, hours) : [];
  const done = async () => {
    if (!options.asOf) await setSweepMark(db, job, to.toISOString());
  };
  return { from, to, dates, monthDays: monthDaysToQuery(dates), done };
}

/** The dates of `window` on which a yearly occasion on `monthDay` is greeted (28 February for 29 February). */
export const datesOf = (window: GreetingWindow, monthDay: string): string[] =>
  window.dates.filter((day) => greetingMonthDay(monthDay, Number(day.slice(0, 4))) === day.slice(5));

/** Whether a member may get an automated greeting, as the index (or the member item) has them. */
export const greetable = (m: Partial<Pick<MemberEntry, 'status' | 'optedOut' | 'isBot' | 'isStaff'>>): boolean =>
  m.status !== 'left' && !m.optedOut && !m.isBot && !m.isStaff;

/** One greeting of a member's day, as a workflow decides it. */
export interface Greeting {
  kind: string;
  community: CommunityConfig;
  memberId: string;
  /** What makes its id unique for the member (the year). */
  period: string;
  /** The member's local day of the greeting, and their zone. */
  day: string;
  zone: string;
  dueAt: Date;
  delivery: 'channel' | 'dm' | 'both';
  channel?: string;
  vars?: Record<string, string>;
}

/**
 * Queue a greeting in the channel, by DM, or both (two items that the
 * frequency cap counts as one), sent by the end of its day. Returns how many
 * items were new.
 */
export async function queueGreeting(db: Db, greeting: Greeting, now: Date): Promise<number> {
  const { community, memberId, delivery, channel } = greeting;
  const id = outboxId(greeting.kind, community.id, memberId, greeting.period);
  const base = {
    communityId: community.id,
    kind: greeting.kind,
    memberId,
    vars: greeting.vars ?? {},
    dueAt: greeting.dueAt.toISOString(),
    notAfter: endOfLocalDay(greeting.day, greeting.zone).toISOString(),
    capKey: id,
  };
  let queued = 0;
  if (delivery !== 'dm' && (await enqueue(db, { ...base, id, delivery: 'channel', channel }, now))) queued++;
  // With `both`, the DM copy never falls back to the channel, which has its own copy.
  const dm = delivery === 'both' ? { id: `${id}.dm`, private: true } : { id };
  if (delivery !== 'channel' && (await enqueue(db, { ...base, ...dm, delivery: 'dm' }, now))) queued++;
  return queued;
}
