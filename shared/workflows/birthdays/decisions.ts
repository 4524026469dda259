import type { CommunityConfig } from '../../domain/config';
import { greetingMonthDay, localHourOn } from '../../domain/lifecycle';
import { dayIn } from '../../domain/time';
import type { Db } from '../../store/db';
import { birthdaysIn, type Member } from '../../store/members';
import { type GreetingReport, greetable, queueGreeting, sweepGreetings } from '../greetings';
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

/** What one birthday sweep did. */
export type BirthdayReport = GreetingReport;

/** The birthday sweep at `now` (see `sweepGreetings` for the window it decides). */
export function birthdaySweep(
  db: Db,
  communities: readonly CommunityConfig[],
  now: Date,
  options: SweepOptions = {},
): Promise<BirthdayReport> {
  return sweepGreetings(
    db,
    {
      job: 'birthdays',
      section: (community) => community.birthdays,
      lookup: birthdaysIn,
      greet: (community, entry, day, zone, at) => greet(db, community, entry.memberId, day, zone, at, now),
    },
    communities,
    now,
    options,
  );
}

/** Queue the greeting for the member's birthday on local `day` (one per year). */
const greet = (db: Db, community: CommunityConfig, memberId: string, day: string, zone: string, at: Date, now: Date) =>
  queueGreeting(
    db,
    {
      kind: 'birthday',
      community,
      memberId,
      period: day.slice(0, 4),
      day,
      zone,
      dueAt: at,
      delivery: community.birthdays.delivery,
      channel: community.birthdays.channel,
    },
    now,
  );

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
  return greet(db, community, member.id, today, zone, at > now ? at : now, now);
}
