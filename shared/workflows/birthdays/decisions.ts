import type { CommunityConfig } from '../../domain/config';
import { candidateDates, endOfLocalDay, greetingMonthDay, localHourOn, monthDaysToQuery } from '../../domain/lifecycle';
import { dayIn } from '../../domain/time';
import type { Db } from '../../store/db';
import { outboxId } from '../../store/keys';
import { birthdaysOn, type Member } from '../../store/members';
import { enqueue } from '../../store/outbox';
import { getSweepMark, setSweepMark } from '../../store/sweeps';
import type { SweepOptions } from '../sweep';

/**
 * Birthday greetings. The hourly sweep decides the greetings due from the
 * start of its window to an hour after it runs, so each goes out at the
 * configured hour in the member's time zone (else the community's), to the
 * minute, even in zones 30 or 45 minutes off the hour. It reads the byBirthday
 * index for the two or three month-days that are a birthday somewhere in that
 * window; the index carries each member's time zone and standing, so its cost
 * grows with the birthdays found, not with the members. One greeting per
 * member per year (its id says the year), sent by the end of the day.
 */

const HOUR_MS = 3_600_000;
/** A scheduled run catches up at most this far back after missed runs. */
export const BIRTHDAY_CATCH_UP_MS = 24 * HOUR_MS;

/** What one birthday sweep did. */
export interface BirthdayReport {
  from: string;
  to: string;
  monthDays: string[];
  found: number;
  queued: number;
}

/**
 * The birthday sweep at `now`, with H the start of its hour. A scheduled run
 * decides [its mark, H + 1 h) (at most a day back) and moves the mark; an
 * as-of run decides [H − 1 h, H + 1 h).
 */
export async function birthdaySweep(
  db: Db,
  communities: readonly CommunityConfig[],
  now: Date,
  options: SweepOptions = {},
): Promise<BirthdayReport> {
  // Windows run on whole hours, so a run repeated within an hour finds its window already decided.
  const hour = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS;
  const to = new Date(hour + HOUR_MS);
  const mark = options.asOf ? undefined : await getSweepMark(db, 'birthdays');
  const earliest = hour - (options.asOf ? HOUR_MS : BIRTHDAY_CATCH_UP_MS);
  const from = new Date(Math.max(mark ? Date.parse(mark) : hour - HOUR_MS, earliest));
  const enabled = new Map(communities.filter((c) => c.birthdays.enabled).map((c) => [c.id, c]));
  const hours = [...enabled.values()].map((c) => c.birthdays.hour);
  const dates = from < to ? candidateDates(from, to, hours) : [];
  const monthDays = monthDaysToQuery(dates);
  const report: BirthdayReport = { from: from.toISOString(), to: to.toISOString(), monthDays, found: 0, queued: 0 };
  for (const monthDay of monthDays) {
    const entries = await birthdaysOn(db, monthDay);
    report.found += entries.length;
    for (const entry of entries) {
      const community = enabled.get(entry.communityId);
      if (!community || !greetable(entry)) continue;
      const { memberId } = entry;
      const zone = entry.timezone ?? community.timezone;
      for (const day of dates) {
        if (greetingMonthDay(monthDay, Number(day.slice(0, 4))) !== day.slice(5)) continue;
        const at = localHourOn(day, community.birthdays.hour, zone);
        if (at < from || at >= to) continue;
        report.queued += await queueGreeting(db, community, memberId, day, zone, at, now);
      }
    }
  }
  if (!options.asOf) await setSweepMark(db, 'birthdays', to.toISOString());
  return report;
}

const greetable = (m: Partial<Pick<Member, 'status' | 'optedOut' | 'isBot' | 'isStaff'>>): boolean =>
  m.status !== 'left' && !m.optedOut && !m.isBot && !m.isStaff;

/**
 * Queue the greeting for the member's birthday on local `day`: in the
 * channel, by DM, or both (two items that the frequency cap counts as one).
 * Returns how many items were new.
 */
async function queueGreeting(
  db: Db,
  community: CommunityConfig,
  memberId: string,
  day: string,
  zone: string,
  dueAt: Date,
  now: Date,
): Promise<number> {
  const year = day.slice(0, 4);
  const id = outboxId('birthday', community.id, memberId, year);
  const { delivery, channel } = community.birthdays;
  const base = {
    communityId: community.id,
    kind: 'birthday' as const,
    memberId,
    vars: {},
    dueAt: dueAt.toISOString(),
    notAfter: endOfLocalDay(day, zone).toISOString(),
    capKey: id,
  };
  let queued = 0;
  if (delivery !== 'dm' && (await enqueue(db, { ...base, id, delivery: 'channel', channel }, now))) queued++;
  // With `both`, the DM copy never falls back to the channel, which has its own copy.
  const dm = delivery === 'both' ? { id: `${id}.dm`, private: true } : { id };
  if (delivery !== 'channel' && (await enqueue(db, { ...base, ...dm, delivery: 'dm' }, now))) queued++;
  return queued;
}

/**
 * On the day a member joins: if it is their birthday where they are, greet
 * them today (at the greeting hour, or now if it has passed). The sweep may
 * have run before they were known; the greeting's id keeps it to one.
 */
export async function greetIfBirthdayToday(
  db: Db,
  community: CommunityConfig,
  member: Member,
  now: Date,
): Promise<number> {
  if (!member.birthday || !greetable(member)) return 0;
  const zone = member.timezone ?? community.timezone;
  const today = dayIn(now, zone);
  if (greetingMonthDay(member.birthday, Number(today.slice(0, 4))) !== today.slice(5)) return 0;
  const at = localHourOn(today, community.birthdays.hour, zone);
  return queueGreeting(db, community, member.id, today, zone, at > now ? at : now, now);
}
