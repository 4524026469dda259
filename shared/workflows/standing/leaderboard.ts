import type { CommunityConfig } from '../../domain/config';
import { addDays, daysOfIsoWeek } from '../../domain/time';
import { memberDayRows } from '../../store/days';
import type { Db } from '../../store/db';
import { getMembers } from '../../store/members';
import { levelOf, type Tier } from './rules';
import { earnsPoints, type StandingMember, tierDistribution, tierWeek, topByPoints } from './store';

/** One line of a leaderboard. */
export interface LeaderboardEntry {
  memberId: string;
  points: number;
  level: number;
  tier: Tier;
}

/** How many a leaderboard shows. */
export const LEADERBOARD_SIZE = 20;

/**
 * The top 20 by points: all time from the byRank index (one Query), or for
 * one ISO week from the week's day rows, where the end-of-day standing wrote
 * each member's points of the day (seven Queries, one per day, each as large
 * as that day's active members). Ties go to the smaller member id. A week's
 * level is the member's level now.
 */
export async function leaderboard(
  db: Db,
  community: CommunityConfig,
  options: { week?: string } = {},
): Promise<LeaderboardEntry[]> {
  if (!options.week) {
    const top = await topByPoints(db, community.id, LEADERBOARD_SIZE);
    return top.map((place) => ({ ...place, level: levelOf(place.points) }));
  }
  const days = daysOfIsoWeek(options.week);
  if (!days) throw new RangeError(`not an ISO week: ${options.week}`);
  const points = new Map<string, number>();
  for (let day = days.monday; day <= days.sunday; day = addDays(day, 1)) {
    for (const row of await memberDayRows(db, community.id, day)) {
      if (row.earned) points.set(row.memberId, (points.get(row.memberId) ?? 0) + row.earned);
    }
  }
  const ranked = [...points.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const members = new Map(
    (
      await getMembers(
        db,
        community.id,
        ranked.slice(0, LEADERBOARD_SIZE * 2).map(([id]) => id),
      )
    ).map((m) => [m.id, m]),
  );
  const entries: LeaderboardEntry[] = [];
  for (const [memberId, week] of ranked) {
    const member = members.get(memberId) as StandingMember | undefined;
    if (!member || !earnsPoints(member) || member.status !== 'member') continue;
    entries.push({ memberId, points: week, level: levelOf(member.points ?? 0), tier: member.tier ?? 'lurker' });
    if (entries.length === LEADERBOARD_SIZE) break;
  }
  return entries;
}

/** The tiers now, or as a week's review left them, with that week's movement. */
export interface TiersReport {
  week: string;
  distribution: Record<Tier, number>;
  promoted: number;
  demoted: number;
  /** `<from>_<to>`: how many made each move. */
  moves: Record<string, number>;
}

/** `week`'s tier report: the distribution its review kept, else the distribution now (the current week). */
export async function tiersReport(db: Db, communityId: string, week: string): Promise<TiersReport> {
  const moved = await tierWeek(db, communityId, week);
  const distribution = moved.distribution ?? (await tierDistribution(db, communityId));
  return { week, distribution, promoted: moved.promoted, demoted: moved.demoted, moves: moved.moves };
}
