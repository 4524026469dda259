import type { CommunityConfig } from '../../domain/config';
import { isActivity } from '../../domain/events';
import { addDays, dayIn, daysBetween, isoWeekOf } from '../../domain/time';
import { type MemberDayRow, memberDayRows, messageInstants, updateMemberDay } from '../../store/days';
import type { Db } from '../../store/db';
import { anniversariesIn, getMembers, memberDays } from '../../store/members';
import { getSweepMark } from '../../store/sweeps';
import { UpdateBuilder } from '../../store/update';
import { type DailySweepReport, inFlight, MAX_CATCH_UP_DAYS, type SweepOptions, sweepDays } from '../sweep';
import {
  dayPoints,
  earningMessages,
  TIER_WINDOW_DAYS,
  TIERS,
  type Tier,
  tierOf,
  tierRank,
  type WindowStats,
} from './rules';
import {
  awardBadge,
  type Credit,
  changeTier,
  congratulateLevel,
  creditCounts,
  earnsPoints,
  foldDay,
  leaveLeaderboard,
  membersInTier,
  STANDING_JOB,
  type StandingMember,
  snapshotDistribution,
} from './store';

/**
 * The end-of-day standing (job `tiers`). Once a community's local day has
 * ended, it folds that day into each member's standing:
 *
 * 1. It reads the day's partition: one row per member active that day (never
 *    message history). Each row holds the seconds of the member's messages
 *    and the replies and reactions they gave to others (`contributionOf` in
 *    `ingest.ts`); ingest wrote them with the counts, in the same write.
 * 2. It credits each reply and reaction to its author, once per giver and
 *    message (`creditCounts`), but none from or to staff and bots, and none to
 *    oneself, and writes what each author received onto the author's row.
 * 3. A member's points of the day are their earning messages (the cooldown)
 *    and what they received, capped by `points.dailyCap`; the fold adds them
 *    to the member once (`foldDay`), with the streak, the totals and the
 *    badges they earn. A new level can be congratulated (`points.levelUp`).
 * 4. Each member active or credited gets the tier of their last 28 days when
 *    it is higher than theirs: a promotion takes effect the day it is earned.
 * 5. A member whose first join was a year ago or more that month-day gets the
 *    `one-year` badge (the byAnniversary index).
 * 6. After a Sunday, the end of an ISO week, the weekly review: every member
 *    holding a tier (the byTier index) gets the tier of their last 28 days,
 *    lower ones included, and the week's distribution is kept for the digest.
 *
 * Every write is conditional or idempotent, so a repeated run (an as-of run,
 * the scheduler's retry) changes nothing it did already.
 */

/** What one run of the standing did. */
export interface StandingReport extends DailySweepReport {
  /** Members whose day was folded. */
  folded: number;
  promoted: number;
  demoted: number;
  badges: number;
  reviews: number;
}

/** The standing sweep at `now`: each community's day before its local day of `now`. */
export async function standingSweep(
  db: Db,
  communities: readonly CommunityConfig[],
  now: Date,
  options: SweepOptions = {},
): Promise<StandingReport> {
  const counts = { folded: 0, promoted: 0, demoted: 0, badges: 0, reviews: 0 };
  const report = await sweepDays(
    db,
    STANDING_JOB,
    communities,
    now,
    options,
    () => true,
    async (community, today, r) => {
      // Days are folded in order, each once per member: an as-of run first folds what its schedule has not
      // reached yet, so no day is left behind a later one (the mark stays where it was).
      const first = options.asOf ? await unfoldedSince(db, community, today) : today;
      for (let day = first; day <= today; day = addDays(day, 1)) {
        await foldFinishedDay(db, community, addDays(day, -1), now, r, counts);
      }
    },
  );
  return { ...report, ...counts };
}

type Counts = Omit<StandingReport, keyof DailySweepReport>;

/**
 * The first local day an as-of run on `today` decides (folding the day before each): the one after the
 * schedule's mark (the mark's day folded the day before it), at most a week back; `today` without a mark.
 */
async function unfoldedSince(db: Db, community: CommunityConfig, today: string): Promise<string> {
  const mark = await getSweepMark(db, STANDING_JOB, community.id);
  if (mark === undefined || mark >= today) return today;
  const next = addDays(mark, 1);
  const earliest = addDays(today, -(MAX_CATCH_UP_DAYS - 1));
  // The later of two ISO days (Math.max is for numbers).
  return [next, earliest].sort()[1];
}

/** Steps 1 to 6 for one community's finished `day`. */
async function foldFinishedDay(
  db: Db,
  community: CommunityConfig,
  day: string,
  now: Date,
  report: DailySweepReport,
  counts: Counts,
): Promise<void> {
  const rows = new Map((await memberDayRows(db, community.id, day)).map((row) => [row.memberId, row]));
  const credits = [...rows.values()].flatMap(creditsOf);
  const members = new Map(
    (await getMembers(db, community.id, [...rows.keys(), ...credits.map((c) => c.author)])).map((m) => [m.id, m]),
  );
  const received = await countReceived(db, community, credits, members, day);
  const involved = [...new Set([...rows.keys(), ...received.keys()])].filter((id) => {
    const member = members.get(id);
    return member !== undefined && earnsPoints(member);
  });
  report.found += involved.length;
  // A member made staff or a bot since they earned: off the leaderboard and out of the tiers.
  for (const id of rows.keys()) {
    const member = members.get(id) as StandingMember | undefined;
    if (!member || earnsPoints(member) || !member.tier) continue;
    await leaveLeaderboard(db, community.id, member.id);
    await changeTier(db, community.id, member.id, member.tier, undefined, day);
  }
  await inFlight(involved, async (id) => {
    const member = members.get(id) as StandingMember;
    const got = received.get(id) ?? { r: 0, a: 0 };
    await foldMember(db, community, member, day, rows.get(id), got, now, report, counts);
  });
  counts.badges += await oneYearBadges(db, community, day);
  if (isSunday(day)) await weeklyReview(db, community, day, counts);
}

/** The credits a day row gives (step 2's input). */
function creditsOf(row: MemberDayRow): Credit[] {
  return [...(row.credits ?? [])].map((entry) => {
    const [kind, author, message] = entry.split('#');
    return { kind: kind as Credit['kind'], author, message, giver: row.memberId };
  });
}

/** Step 2: what each author received on `day`, from givers who count, once per giver and message. */
async function countReceived(
  db: Db,
  community: CommunityConfig,
  credits: Credit[],
  members: Map<string, StandingMember>,
  day: string,
): Promise<Map<string, { r: number; a: number }>> {
  const counted = (c: Credit) => {
    const giver = members.get(c.giver);
    const author = members.get(c.author);
    return giver && author && c.giver !== c.author && earnsPoints(giver) && earnsPoints(author);
  };
  const valid = credits.filter(counted);
  const counts = await inFlight(valid, (credit) => creditCounts(db, community.id, credit, day));
  const received = new Map<string, { r: number; a: number }>();
  valid.forEach((credit, i) => {
    if (!counts[i]) return;
    const tally = received.get(credit.author) ?? { r: 0, a: 0 };
    tally[credit.kind]++;
    received.set(credit.author, tally);
  });
  return received;
}

/** Steps 3 and 4 for one member. */
async function foldMember(
  db: Db,
  community: CommunityConfig,
  member: StandingMember,
  day: string,
  row: MemberDayRow | undefined,
  got: { r: number; a: number },
  now: Date,
  report: DailySweepReport,
  counts: Counts,
): Promise<void> {
  // Folded already (a repeated run): what it wrote stands; computed again from the member as it is now, it would not.
  if (member.standingDay !== undefined && member.standingDay >= day) return;
  const instants = row ? messageInstants(row) : [];
  const earning = earningMessages(instants, community.points.messageCooldownSeconds, member.lastEarnAt);
  const earnings = dayPoints(community.points, {
    earningMessages: earning.count,
    repliesReceived: got.r,
    reactionsReceived: got.a,
  });
  // What the member received and earned goes on their row, for the tier window and the week's leaderboard.
  if (got.r || got.a || earnings.points || row) {
    const update = new UpdateBuilder()
      .set('repliesReceived', got.r)
      .set('reactionsReceived', got.a)
      .set('earned', earnings.points);
    await updateMemberDay(db, community.id, day, member.id, update);
  }
  const folded = await foldDay(db, community, member, {
    day,
    dayBefore: addDays(day, -1),
    points: earnings.points,
    active: row !== undefined && isActivity(row),
    messages: row?.messages ?? 0,
    repliesReceived: got.r,
    reactionsReceived: got.a,
    lastEarnAt: earning.lastEarnAt,
  });
  if (!folded) return;
  counts.folded++;
  counts.badges += folded.newBadges.length;
  if (member.status === 'member' && (await congratulateLevel(db, community, member.id, folded, now))) report.queued++;
  if (member.status !== 'member') return;
  const earned = await tierEarned(db, community, member, day);
  if (tierRank(earned) > tierRank(member.tier)) {
    if (await changeTier(db, community.id, member.id, member.tier, earned, day)) counts.promoted++;
  }
}

/** The member's last 28 local days, ending with `day`. */
export async function windowStats(db: Db, communityId: string, memberId: string, day: string): Promise<WindowStats> {
  const rows = await memberDays(db, communityId, memberId, { from: addDays(day, 1 - TIER_WINDOW_DAYS), to: day });
  const stats: WindowStats = { activeDays: 0, messages: 0, received: 0, referrals: 0 };
  for (const row of rows) {
    if (isActivity(row)) stats.activeDays++;
    stats.messages += row.messages ?? 0;
    stats.received += (row.repliesReceived ?? 0) + (row.reactionsReceived ?? 0);
    stats.referrals += row.referred?.size ?? 0;
  }
  return stats;
}

/** The tier the member's last 28 days earn, as of the end of `day`. */
async function tierEarned(db: Db, community: CommunityConfig, member: StandingMember, day: string): Promise<Tier> {
  const stats = await windowStats(db, community.id, member.id, day);
  const joinDay = member.joinedAt ? dayIn(new Date(member.joinedAt), community.timezone) : undefined;
  const recent = joinDay !== undefined && daysBetween(joinDay, day) < community.tiers.newcomerDays;
  return tierOf(stats, community.tiers, recent);
}

/** Step 5: `one-year` for the members whose first join was on this month-day a year or more ago. */
async function oneYearBadges(db: Db, community: CommunityConfig, day: string): Promise<number> {
  const monthDays = [day.slice(5)];
  // A first join on 29 February is celebrated on the 28th in other years.
  if (day.slice(5) === '02-28' && addDays(day, 1).slice(5) === '03-01') monthDays.push('02-29');
  let awarded = 0;
  for (const monthDay of monthDays) {
    const entries = (await anniversariesIn(db, community.id, monthDay)).filter(
      (entry) => entry.status === 'member' && earnsPoints(entry),
    );
    for (const entry of entries) {
      const first = entry.firstJoinedAt ? dayIn(new Date(entry.firstJoinedAt), community.timezone) : undefined;
      if (first === undefined || Number(day.slice(0, 4)) - Number(first.slice(0, 4)) < 1) continue;
      if (await awardBadge(db, community.id, entry.memberId, 'one-year')) awarded++;
    }
  }
  return awarded;
}

/** Step 6: every member holding a tier gets the one their last 28 days earn; the week's distribution is kept. */
async function weeklyReview(db: Db, community: CommunityConfig, day: string, counts: Counts): Promise<void> {
  counts.reviews++;
  for (const tier of TIERS.slice(1)) {
    const ids = await membersInTier(db, community.id, tier);
    const members = await getMembers(db, community.id, ids);
    await inFlight(members as StandingMember[], async (member) => {
      if (member.tier !== tier || member.status !== 'member') return;
      const earned = await tierEarned(db, community, member, day);
      if (tierRank(earned) < tierRank(tier) && (await changeTier(db, community.id, member.id, tier, earned, day))) {
        counts.demoted++;
      }
    });
  }
  await snapshotDistribution(db, community.id, isoWeekOf(day));
}

/** Whether `day` is a Sunday, the last day of an ISO week. */
const isSunday = (day: string): boolean => new Date(`${day}T12:00:00Z`).getUTCDay() === 0;
