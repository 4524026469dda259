import type { CommunityConfig } from '../domain/config';
import { candidateDates, endOfLocalDay, greetingMonthDay, localHourOn, monthDaysToQuery } from '../domain/lifecycle';
import type { Db } from '../store/db';
import { outboxId } from '../store/keys';
import type { MemberEntry } from '../store/members';
import { enqueue } from '../store/outbox';
import { getSweepMark, setSweepMark } from '../store/sweeps';
import { eachCommunity } from './sweep';

/**
 * What the greetings of a member's day share (birthdays, anniversaries): the
 * hourly window a sweep decides, the month-days to look up for it, who may be
 * greeted, and the greeting itself in the channel, by DM, or both.
 */

const HOUR_MS = 3_600_000;
/** A scheduled run catches up at most this far back after missed runs. */
const GREETING_CATCH_UP_MS = 24 * HOUR_MS;

/** The window one hourly greeting sweep decides, and the dates and month-days that can fall in it. */
interface GreetingWindow {
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
async function greetingWindow(
  db: Db,
  job: string,
  communityId: string,
  now: Date,
  hour: number,
  options: { asOf?: boolean },
): Promise<GreetingWindow & { done: () => Promise<void> }> {
  const start = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS;
  const to = new Date(start + HOUR_MS);
  // Read, not taken from what this process last knew: with the runs fanned out, a warm process last saw this
  // community's mark hours ago, and a mark that far behind would widen the window to a day of repeated work.
  const mark = options.asOf ? undefined : await getSweepMark(db, job, communityId);
  const earliest = start - (options.asOf ? HOUR_MS : GREETING_CATCH_UP_MS);
  const from = new Date(Math.max(mark ? Date.parse(mark) : start - HOUR_MS, earliest));
  const dates = from < to ? candidateDates(from, to, [hour]) : [];
  const done = async () => {
    if (!options.asOf) await setSweepMark(db, job, to.toISOString(), communityId);
  };
  return { from, to, dates, monthDays: monthDaysToQuery(dates), done };
}

/** The dates of `window` on which a yearly occasion on `monthDay` is greeted (28 February for 29 February). */
const datesOf = (window: GreetingWindow, monthDay: string): string[] =>
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

/** What one hourly greeting sweep did, over the communities it ran for. */
export interface GreetingReport {
  communities: number;
  /** The earliest start of a community's window, and the end they share (absent when no community took part). */
  from?: string;
  to?: string;
  /** The month-days read, over every community. */
  monthDays: string[];
  found: number;
  queued: number;
}

/** How a greeting workflow plugs into {@link sweepGreetings}. */
export interface GreetingSweep {
  /** Its job name (and sweep mark). */
  job: string;
  /** Its config section's switch and local hour. */
  section(community: CommunityConfig): { enabled: boolean; hour: number };
  /** The community's members whose occasion falls on a month-day (an index query of its own partition). */
  lookup(db: Db, communityId: string, monthDay: string): Promise<MemberEntry[]>;
  /** Queue the greeting of `entry` on their local `day`, due `at`; how many items were new. */
  greet(community: CommunityConfig, entry: MemberEntry, day: string, zone: string, at: Date): Promise<number>;
}

/**
 * An hourly greeting sweep at `now`: for each community that takes part, for
 * each month-day that falls in its window somewhere, the members its index
 * partition names, greeted when their local hour on that day is in the
 * window. Cost grows with the members found. Each community has its own mark,
 * so one community's failure holds back no other, and the run is the same
 * whether it is given one community (a fanned-out run) or all of them.
 */
export async function sweepGreetings(
  db: Db,
  sweep: GreetingSweep,
  communities: readonly CommunityConfig[],
  now: Date,
  options: { asOf?: boolean },
): Promise<GreetingReport> {
  const report: GreetingReport = { communities: 0, monthDays: [], found: 0, queued: 0 };
  const monthDays = new Set<string>();
  await eachCommunity(sweep.job, communities, async (community) => {
    const section = sweep.section(community);
    if (!section.enabled) return;
    report.communities++;
    const window = await greetingWindow(db, sweep.job, community.id, now, section.hour, options);
    const { from, to } = window;
    if (!report.from || from.toISOString() < report.from) report.from = from.toISOString();
    report.to = to.toISOString();
    for (const monthDay of window.monthDays) {
      monthDays.add(monthDay);
      const entries = await sweep.lookup(db, community.id, monthDay);
      report.found += entries.length;
      for (const entry of entries) {
        if (!greetable(entry)) continue;
        const zone = entry.timezone ?? community.timezone;
        for (const day of datesOf(window, monthDay)) {
          const at = localHourOn(day, section.hour, zone);
          if (at >= from && at < to) report.queued += await sweep.greet(community, entry, day, zone, at);
        }
      }
    }
    await window.done();
  });
  report.monthDays = [...monthDays].sort();
  return report;
}
