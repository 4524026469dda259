import type { CommunityConfig } from '../../domain/config';
import { endOfLocalDay, greetingMonthDay, localHourOn } from '../../domain/lifecycle';
import { addDays, dayIn } from '../../domain/time';
import type { Db } from '../../store/db';
import { outboxId } from '../../store/keys';
import { anniversariesIn, type MemberEntry, presentMembers } from '../../store/members';
import { enqueue } from '../../store/outbox';
import { lastKnownSweepMark, setSweepMark } from '../../store/sweeps';
import { COMMUNITY_RECIPIENT } from '../contract';
import { type GreetingReport, greetable, queueGreeting, sweepGreetings } from '../greetings';
import { type DailySweepReport, inFlight, type SweepOptions, sweepDays } from '../sweep';
import type { Holiday } from './config';

/**
 * Occasions: membership anniversaries and the community's own holidays.
 *
 * A member's anniversary is the calendar date of their first join in the
 * community's time zone; on each anniversary the config lists (1, 2, 3, 5
 * and 10 years by default) they are greeted at the configured hour in their
 * own zone (else the community's), on 28 February in years without a 29th.
 * The hourly sweep works like the birthday sweep: it reads the byAnniversary
 * index for the month-days that fall in its window, and its cost grows with
 * the anniversaries found. One greeting per member per year.
 *
 * A holiday is `MM-DD` (every year) or `YYYY-MM-DD` (that year only, for
 * festivals whose date moves). Each community day, the daily sweep decides
 * the holidays of that day and the next two: a channel post at the hour in
 * the community's zone, or for `members` one message to each present member
 * (the byPresence index, nothing else) at the hour in their zone, under their
 * quiet hours and caps. Deciding two days ahead reaches a member whose zone
 * is a day ahead of the community's; a member who joins after that is not
 * greeted. Each holiday is decided once (a mark per holiday and date), and
 * every item is sent by the end of its local day.
 */

/** What one anniversary sweep did. */
export type AnniversaryReport = GreetingReport;

/** The anniversary sweep at `now` (see `sweepGreetings` for the window it decides). */
export function anniversarySweep(
  db: Db,
  communities: readonly CommunityConfig[],
  now: Date,
  options: SweepOptions = {},
): Promise<AnniversaryReport> {
  return sweepGreetings(
    db,
    {
      job: 'anniversaries',
      section: (community) => community.anniversaries,
      lookup: anniversariesIn,
      greet: (community, entry, day, zone, at) => greetAnniversary(db, community, entry, { day, zone, at }, now),
    },
    communities,
    now,
    options,
  );
}

/** Queue the member's anniversary greeting on local `day`, when it is one the config lists. */
async function greetAnniversary(
  db: Db,
  community: CommunityConfig,
  entry: MemberEntry,
  when: { day: string; zone: string; at: Date },
  now: Date,
): Promise<number> {
  if (!entry.firstJoinedAt) return 0;
  // The index is keyed by the first join's month-day; an entry it lags behind is checked against the member's.
  const firstDay = dayIn(new Date(entry.firstJoinedAt), community.timezone);
  if (greetingMonthDay(firstDay.slice(5), Number(when.day.slice(0, 4))) !== when.day.slice(5)) return 0;
  const years = Number(when.day.slice(0, 4)) - Number(firstDay.slice(0, 4));
  if (!community.anniversaries.years.includes(years)) return 0;
  const { delivery, channel } = community.anniversaries;
  return queueGreeting(
    db,
    {
      kind: 'anniversary',
      community,
      memberId: entry.memberId,
      period: when.day.slice(0, 4),
      day: when.day,
      zone: when.zone,
      dueAt: when.at,
      delivery,
      channel,
      vars: { years: String(years) },
    },
    now,
  );
}

/** How many community days ahead a holiday is decided (a zone can be a day ahead of the community's). */
const HOLIDAY_LEAD_DAYS = 2;

/** Whether `holiday` falls on `day` (`YYYY-MM-DD`); an `MM-DD` of 29 February falls on the 28th in other years. */
export function holidayFallsOn(holiday: Pick<Holiday, 'date'>, day: string): boolean {
  if (holiday.date.length === 10) return holiday.date === day;
  return greetingMonthDay(holiday.date, Number(day.slice(0, 4))) === day.slice(5);
}

/** The holiday sweep at `now` (see above). */
export function holidaySweep(
  db: Db,
  communities: readonly CommunityConfig[],
  now: Date,
  options: SweepOptions = {},
): Promise<DailySweepReport> {
  const enabled = (c: CommunityConfig) => c.holidays.length > 0;
  return sweepDays(db, 'holidays', communities, now, options, enabled, async (community, day, report) => {
    for (let ahead = 0; ahead <= HOLIDAY_LEAD_DAYS; ahead++) {
      const date = addDays(day, ahead);
      for (const holiday of community.holidays.filter((h) => holidayFallsOn(h, date))) {
        await decideHoliday(db, community, holiday, date, now, report);
      }
    }
  });
}

/** Queue one holiday on `date`, once: the mark records that its items were decided. */
async function decideHoliday(
  db: Db,
  community: CommunityConfig,
  holiday: Holiday,
  date: string,
  now: Date,
  report: DailySweepReport,
): Promise<void> {
  const period = `${date}+${holiday.template}`;
  const mark = `holidays#${period}`;
  // Decided before (known to this process without a read, else as stored).
  if ((await lastKnownSweepMark(db, mark, community.id)) !== undefined) return;
  const item = (memberId: string, zone: string) => {
    const due = localHourOn(date, holiday.hour, zone);
    const notAfter = endOfLocalDay(date, zone);
    return {
      id: outboxId('holiday', community.id, memberId, period),
      communityId: community.id,
      kind: 'holiday',
      memberId,
      template: holiday.template,
      vars: {},
      delivery: holiday.audience === 'channel' ? ('channel' as const) : ('dm' as const),
      ...(holiday.channel ? { channel: holiday.channel } : {}),
      dueAt: (due > now ? due : now).toISOString(),
      notAfter: notAfter.toISOString(),
    };
  };
  const items =
    holiday.audience === 'channel'
      ? [item(COMMUNITY_RECIPIENT, community.timezone)]
      : (await presentMembers(db, community.id))
          .filter(greetable)
          .map((member) => item(member.memberId, member.timezone ?? community.timezone));
  report.found += items.length;
  // A greeting to every member is as many puts as members: a few at a time, so a large community's fit in a run.
  // An as-of run after a holiday's day has ended where a member is queues nothing for them.
  const due = items.filter((decision) => now.toISOString() < decision.notAfter);
  report.queued += (await inFlight(due, (decision) => enqueue(db, decision, now))).filter(Boolean).length;
  await setSweepMark(db, mark, date, community.id);
}
