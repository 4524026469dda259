import type { CommunityConfig } from '../../domain/config';
import { addDays, dayIn } from '../../domain/time';
import { messageInstants } from '../../store/days';
import type { Db } from '../../store/db';
import { getMember, memberDays } from '../../store/members';
import { getSweepMark } from '../../store/sweeps';
import { dayPoints, earningMessages, levelOf, type Tier } from './rules';
import { earnsPoints, RANK_COUNTED_TO, rankOf, STANDING_JOB, type StandingMember } from './store';

/** A member's standing as `/points` and `member show` give it. */
export interface StandingSummary {
  /** Folded points, plus the messages of the days not folded yet (what they receive comes at day end). */
  points: number;
  level: number;
  badges: string[];
  tier: Tier;
  /** Place by points; undefined when not on the leaderboard (staff, bots, no points, left). */
  rank?: number;
  /** Whether `rank` is only known to be past {@link RANK_COUNTED_TO}. */
  rankPast?: boolean;
}

/** The standing of `member` at `now`. */
export async function standingSummary(
  db: Db,
  community: CommunityConfig,
  member: StandingMember,
  now: Date,
): Promise<StandingSummary> {
  const folded = member.points ?? 0;
  const points = earnsPoints(member) ? folded + (await pointsNotFolded(db, community, member, now)) : 0;
  const rank = await rankOf(db, community.id, member, folded);
  return {
    points,
    level: levelOf(points),
    badges: [...(member.badges ?? [])].sort(),
    tier: member.tier ?? 'lurker',
    ...(rank !== undefined ? { rank: Math.min(rank, RANK_COUNTED_TO) } : {}),
    ...(rank !== undefined && rank > RANK_COUNTED_TO ? { rankPast: true } : {}),
  };
}

/** The standing of a member by id; undefined when never seen. */
export async function standingOfMember(
  db: Db,
  community: CommunityConfig,
  memberId: string,
  now: Date,
): Promise<StandingSummary | undefined> {
  const member = await getMember(db, community.id, memberId);
  return member && standingSummary(db, community, member as StandingMember, now);
}

/**
 * The points of the member's messages on the days after the last one folded,
 * through today, each day capped: so `/points` counts a message at once.
 */
async function pointsNotFolded(db: Db, community: CommunityConfig, member: StandingMember, now: Date) {
  const today = dayIn(now, community.timezone);
  // Days from the first the standing has not folded: the day its job's mark names (it last ran on that day,
  // folding the one before), else yesterday (its first run folds that one); and after the member's own last.
  const mark = await getSweepMark(db, STANDING_JOB, community.id);
  let from = mark ?? addDays(today, -1);
  if (member.standingDay && addDays(member.standingDay, 1) > from) from = addDays(member.standingDay, 1);
  if (from > today) return 0;
  const rows = (await memberDays(db, community.id, member.id, { from, to: today })).sort((a, b) =>
    a.day < b.day ? -1 : 1,
  );
  let lastEarnAt = member.lastEarnAt;
  let points = 0;
  for (const row of rows) {
    const instants = messageInstants(row);
    const earning = earningMessages(instants, community.points.messageCooldownSeconds, lastEarnAt);
    lastEarnAt = earning.lastEarnAt;
    points += dayPoints(community.points, {
      earningMessages: earning.count,
      repliesReceived: 0,
      reactionsReceived: 0,
    }).points;
  }
  return points;
}
