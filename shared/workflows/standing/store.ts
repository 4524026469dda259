import type { CommunityConfig } from '../../domain/config';
import { isoWeekOf } from '../../domain/time';
import { countAbove, type Db, getItem, queryIndex, updateItem } from '../../store/db';
import { memberKey, outboxId, rankIndexKeys, rankPk, tierPk } from '../../store/keys';
import { getMember, type Member } from '../../store/members';
import { enqueue } from '../../store/outbox';
import { INDEXES } from '../../store/table';
import { UpdateBuilder } from '../../store/update';
import { badgesEarned, levelOf, type StandingTotals, TIERS, type Tier, tierRank } from './rules';

/**
 * A member's standing, kept on the member item and written only by the
 * end-of-day fold (`rollup.ts`) and a referral's credit, each under a
 * condition on `points` (read, then written only if nobody wrote in between),
 * so the two never lose each other's points. The leaderboard and the tier
 * partitions are indexes of the member item (byRank, byTier); the tier counts
 * and each week's tier movement are tallies of their own:
 *
 * | item                | pk                | sk          |
 * |---------------------|-------------------|-------------|
 * | tier counts, now    | `C#<c>#TIERS`     | `current`   |
 * | a week's movement   | `C#<c>#TIERS`     | `<YYYY-Www>`|
 * | a credit given once | `C#<c>#CREDITS`   | `<author>#<message>#<r|a>#<giver>` |
 */
export interface Standing {
  points?: number;
  /** The last local day folded into the standing. */
  standingDay?: string;
  /** Unix seconds of the last message that earned points (the cooldown carries over midnight). */
  lastEarnAt?: number;
  streakDays?: number;
  streakThrough?: string;
  longestStreak?: number;
  /** All-time totals, for the badges. */
  messagesTotal?: number;
  repliesReceived?: number;
  reactionsReceived?: number;
  referralsQualified?: number;
  badges?: Set<string>;
  /** The referred members whose qualification was credited (each once). */
  creditedReferrals?: Set<string>;
  /** The check-in challenges whose completion was credited (each once). */
  completedChallenges?: Set<string>;
  tier?: Tier;
  /** The day the tier took effect. */
  tierSince?: string;
}

export type StandingMember = Member & Standing;

/** The standing's job (its schedule and its mark): the end-of-day fold. */
export const STANDING_JOB = 'tiers';

/** Whether a member earns points and appears on the leaderboard: not staff, not a bot, still there. */
export const earnsPoints = (member: Pick<Member, 'isStaff' | 'isBot'>): boolean => !member.isStaff && !member.isBot;

const totalsOf = (member: Standing): StandingTotals => ({
  messages: member.messagesTotal ?? 0,
  repliesReceived: member.repliesReceived ?? 0,
  reactionsReceived: member.reactionsReceived ?? 0,
  referralsQualified: member.referralsQualified ?? 0,
  longestStreak: member.longestStreak ?? 0,
});

/** A change to a member's standing computed from the member as read. */
interface StandingChange {
  points: number;
  totals: StandingTotals;
  /** Further fields to set. */
  set: Record<string, unknown>;
  /** The extra condition (besides `points` being as read). */
  condition?: (update: UpdateBuilder) => string;
  /** Sets to add to. */
  addToSets?: Record<string, Set<string>>;
}

/** What a standing write did. */
export interface StandingWrite {
  before: number;
  after: number;
  newBadges: string[];
}

/** How many times a standing write reads again after another writer moved `points` in between. */
const STANDING_TRIES = 5;

/**
 * Write a change to a member's standing: read the member, compute, and write
 * under the condition that `points` is still what was read; another writer in
 * between (the fold and a referral credit) makes it read again. Undefined
 * when `change` says there is nothing to do (its own condition failed).
 */
async function writeStanding(
  db: Db,
  community: CommunityConfig,
  memberId: string,
  change: (member: StandingMember) => StandingChange | undefined,
  /** The member as the caller just read it (strongly consistent), for the first try. */
  read?: StandingMember,
): Promise<StandingWrite | undefined> {
  for (let attempt = 0; attempt < STANDING_TRIES; attempt++) {
    const member = attempt === 0 && read ? read : await getMember(db, community.id, memberId, { consistent: true });
    if (!member) return undefined;
    const current = member as StandingMember;
    const next = change(current);
    if (!next) return undefined;
    const before = current.points ?? 0;
    const had = current.badges ?? new Set<string>();
    // Badges the totals earn, and any the change awards by its own rule (a completed challenge's).
    const { badges: awarded, ...sets } = next.addToSets ?? {};
    const newBadges = [...new Set([...badgesEarned(next.totals), ...(awarded ?? [])])].filter((b) => !had.has(b));
    const update = new UpdateBuilder().set('points', next.points);
    for (const [attribute, value] of Object.entries(next.set)) update.set(attribute, value);
    for (const [attribute, members] of Object.entries(sets)) update.addToSet(attribute, members);
    if (newBadges.length) update.addToSet('badges', new Set(newBadges));
    const ranked = rankKeys(update, community.id, current, next.points);
    const points = update.name('points');
    const asRead =
      current.points === undefined ? `attribute_not_exists(${points})` : `${points} = ${update.value(current.points)}`;
    // A place on the leaderboard only while still a member: a leave in between makes it read again.
    const present = ranked ? `${update.name('status')} = ${update.value('member')}` : undefined;
    const condition = [asRead, present, next.condition?.(update)].filter(Boolean).join(' AND ');
    const written = await updateItem(db, memberKey(community.id, memberId), update, { condition });
    if (written) return { before, after: next.points, newBadges };
  }
  throw new Error(`the standing of member ${memberId} kept changing under ${STANDING_TRIES} writes`);
}

/**
 * The member's place on the leaderboard (byRank): only members who earn points, with some, and still
 * there. True when the update sets one.
 */
function rankKeys(update: UpdateBuilder, communityId: string, member: Member, points: number): boolean {
  // A forgotten member keeps their points, but no public place.
  if (earnsPoints(member) && member.status === 'member' && !member.forgottenAt && points > 0) {
    for (const [attribute, value] of Object.entries(rankIndexKeys(communityId, member.id, points))) {
      update.set(attribute, value);
    }
    return true;
  }
  update.remove('rankPk', 'rankSk');
  return false;
}

/** What one day adds to a member's standing (see `rollup.ts`). */
export interface DayFold {
  day: string;
  points: number;
  /** Whether the member had an activity that day (the streak). */
  active: boolean;
  messages: number;
  repliesReceived: number;
  reactionsReceived: number;
  lastEarnAt?: number;
  /** The day before `day`. */
  dayBefore: string;
}

/**
 * Fold one finished day into a member's standing, once: a day already folded
 * (a repeated run) changes nothing. Undefined then.
 */
export function foldDay(
  db: Db,
  community: CommunityConfig,
  member: StandingMember,
  fold: DayFold,
): Promise<StandingWrite | undefined> {
  return writeStanding(
    db,
    community,
    member.id,
    (member) => {
      if (member.standingDay !== undefined && member.standingDay >= fold.day) return undefined;
      const streakDays = fold.active
        ? member.streakThrough === fold.dayBefore
          ? (member.streakDays ?? 0) + 1
          : 1
        : member.streakDays;
      const totals: StandingTotals = {
        messages: (member.messagesTotal ?? 0) + fold.messages,
        repliesReceived: (member.repliesReceived ?? 0) + fold.repliesReceived,
        reactionsReceived: (member.reactionsReceived ?? 0) + fold.reactionsReceived,
        referralsQualified: member.referralsQualified ?? 0,
        longestStreak: Math.max(member.longestStreak ?? 0, streakDays ?? 0),
      };
      const set: Record<string, unknown> = {
        standingDay: fold.day,
        messagesTotal: totals.messages,
        repliesReceived: totals.repliesReceived,
        reactionsReceived: totals.reactionsReceived,
        longestStreak: totals.longestStreak,
      };
      if (fold.active) Object.assign(set, { streakDays, streakThrough: fold.day });
      if (fold.lastEarnAt !== undefined) set.lastEarnAt = fold.lastEarnAt;
      return {
        points: (member.points ?? 0) + fold.points,
        totals,
        set,
        condition: (update) => {
          const day = update.name('standingDay');
          return `(attribute_not_exists(${day}) OR ${day} < ${update.value(fold.day)})`;
        },
      };
    },
    member,
  );
}

/**
 * Credit a referrer for one referred member's qualification, once: their
 * points (none for staff and bots) and their count of qualified referrals.
 * Undefined when it was credited already.
 */
export function creditReferral(
  db: Db,
  community: CommunityConfig,
  referrerId: string,
  referredId: string,
): Promise<StandingWrite | undefined> {
  return writeStanding(db, community, referrerId, (member) => {
    if (member.creditedReferrals?.has(referredId)) return undefined;
    const totals = { ...totalsOf(member), referralsQualified: (member.referralsQualified ?? 0) + 1 };
    const earned = earnsPoints(member) ? community.points.referralQualified : 0;
    return {
      points: (member.points ?? 0) + earned,
      totals,
      set: { referralsQualified: totals.referralsQualified },
      addToSets: { creditedReferrals: new Set([referredId]) },
      condition: (update) =>
        `(attribute_not_exists(${update.name('creditedReferrals')}) OR NOT contains(${update.name('creditedReferrals')}, ${update.value(referredId)}))`,
    };
  });
}

/** The badge for completing a check-in challenge (awarded by its own rule). */
export const CHALLENGE_BADGE = 'challenge-complete';

/**
 * Credit a member for completing check-in challenge `challengeId`, once: its points (none for staff and
 * bots) and the {@link CHALLENGE_BADGE}. Undefined when it was credited already.
 */
export function creditChallenge(
  db: Db,
  community: CommunityConfig,
  memberId: string,
  challengeId: string,
  points: number,
): Promise<StandingWrite | undefined> {
  return writeStanding(db, community, memberId, (member) => {
    if (member.completedChallenges?.has(challengeId)) return undefined;
    return {
      points: (member.points ?? 0) + (earnsPoints(member) ? points : 0),
      totals: totalsOf(member),
      set: {},
      addToSets: { completedChallenges: new Set([challengeId]), badges: new Set([CHALLENGE_BADGE]) },
      condition: (update) =>
        `(attribute_not_exists(${update.name('completedChallenges')}) OR NOT contains(${update.name('completedChallenges')}, ${update.value(challengeId)}))`,
    };
  });
}

/** Award a badge by its own rule (`one-year`); false when the member had it. */
export async function awardBadge(db: Db, communityId: string, memberId: string, badge: string): Promise<boolean> {
  const update = new UpdateBuilder().addToSet('badges', new Set([badge]));
  const badges = update.name('badges');
  const condition = `attribute_exists(${update.name('id')}) AND (attribute_not_exists(${badges}) OR NOT contains(${badges}, ${update.value(badge)}))`;
  return (await updateItem(db, memberKey(communityId, memberId), update, { condition })) !== undefined;
}

/** A community's tier tallies. */
const tiersPk = (communityId: string): string => `C#${communityId}#TIERS`;
const CURRENT = 'current';

/**
 * Move a member from tier `from` (as read) to `to` (undefined: out of the
 * counts, on a leave), on `day`: the member item under the condition that
 * its tier is still `from`, then the counts, and the move in the ISO week of
 * `day`. False when the member's tier had already changed.
 */
export async function changeTier(
  db: Db,
  communityId: string,
  memberId: string,
  from: Tier | undefined,
  to: Tier | undefined,
  day: string,
): Promise<boolean> {
  if (from === to) return false;
  const update = new UpdateBuilder();
  if (to) update.set('tier', to).set('tierSince', day);
  else update.remove('tier', 'tierSince');
  // Lurkers hold no place in a tier partition: the weekly review has nothing to take from them.
  if (to && to !== 'lurker') update.set('tierPk', tierPk(communityId, to));
  else update.remove('tierPk');
  const tier = update.name('tier');
  const conditions = [
    `attribute_exists(${update.name('id')})`,
    from ? `${tier} = ${update.value(from)}` : `attribute_not_exists(${tier})`,
  ];
  // A tier only for a member who is there: a leave in between (which takes the tier away) wins.
  if (to) conditions.push(`${update.name('status')} = ${update.value('member')}`);
  const condition = conditions.join(' AND ');
  if ((await updateItem(db, memberKey(communityId, memberId), update, { condition })) === undefined) return false;
  const counts = new UpdateBuilder();
  if (from) counts.add(from, -1);
  if (to) counts.add(to, 1);
  await updateItem(db, { pk: tiersPk(communityId), sk: CURRENT }, counts);
  // A member's first contribution tier is a promotion from lurker (none); a join's newcomer and a leave
  // are no moves.
  const source = from ?? 'lurker';
  if (to && to !== source && (from || to !== 'newcomer')) {
    const move = tierRank(to) > tierRank(source) ? 'promoted' : 'demoted';
    const week = new UpdateBuilder().add(move, 1).add(`${source}_${to}`, 1);
    await updateItem(db, { pk: tiersPk(communityId), sk: isoWeekOf(day) }, week);
  }
  return true;
}

/** The number of members in each tier, now. */
export async function tierDistribution(db: Db, communityId: string): Promise<Record<Tier, number>> {
  const item = await getItem<Partial<Record<Tier, number>>>(db, { pk: tiersPk(communityId), sk: CURRENT });
  return Object.fromEntries(TIERS.map((tier) => [tier, Math.max(0, item?.[tier] ?? 0)])) as Record<Tier, number>;
}

/** A week's tier movement, and the distribution as the weekly review left it. */
export interface TierWeek {
  promoted: number;
  demoted: number;
  /** `<from>_<to>`: how many made that move. */
  moves: Record<string, number>;
  distribution?: Record<Tier, number>;
}

export async function tierWeek(db: Db, communityId: string, week: string): Promise<TierWeek> {
  const item = await getItem<Record<string, unknown>>(db, { pk: tiersPk(communityId), sk: week });
  const moves: Record<string, number> = {};
  for (const [key, value] of Object.entries(item ?? {})) if (key.includes('_')) moves[key] = Number(value);
  return {
    promoted: Number(item?.promoted ?? 0),
    demoted: Number(item?.demoted ?? 0),
    moves,
    ...(item?.distribution ? { distribution: item.distribution as Record<Tier, number> } : {}),
  };
}

/** Keep the distribution the weekly review left, with the week's movement. */
export async function snapshotDistribution(db: Db, communityId: string, week: string): Promise<void> {
  const distribution = await tierDistribution(db, communityId);
  await updateItem(db, { pk: tiersPk(communityId), sk: week }, new UpdateBuilder().set('distribution', distribution));
}

/** The members holding `tier` (byTier). */
export async function membersInTier(db: Db, communityId: string, tier: Tier): Promise<string[]> {
  const rows = await queryIndex<{ id: string }>(db, INDEXES.byTier, tierPk(communityId, tier));
  return rows.map((row) => row.id);
}

/** One place on the all-time leaderboard. */
export interface Place {
  memberId: string;
  points: number;
  tier: Tier;
}

/** What byRank carries for a place. */
interface RankRow {
  rankSk: string;
  tier?: Tier;
  status?: Member['status'];
  isStaff?: boolean;
  isBot?: boolean;
}

const placeOf = (row: RankRow): Place => {
  const split = row.rankSk.indexOf('#');
  return {
    memberId: row.rankSk.slice(split + 1),
    points: Number(row.rankSk.slice(0, split)),
    tier: row.tier ?? 'lurker',
  };
};

/**
 * The top `limit` members by points (byRank): one Query, whatever the community's size. A member made
 * staff or a bot after earning keeps their entry until the fold of a day they were active, so the Query
 * asks for a few more and leaves them out.
 */
export async function topByPoints(db: Db, communityId: string, limit: number): Promise<Place[]> {
  const rows = await queryIndex<RankRow>(db, INDEXES.byRank, rankPk(communityId), {
    descending: true,
    limit: limit + RANK_SPARE,
  });
  return rows
    .filter((row) => earnsPoints(row) && row.status === 'member')
    .slice(0, limit)
    .map(placeOf);
}

/** Places a leaderboard Query reads beyond its size, for the entries it may leave out. */
const RANK_SPARE = 10;

/** Ranks counted exactly up to this; beyond, a member is told they are past it. */
export const RANK_COUNTED_TO = 1000;

/**
 * A member's place by points: 1 + those above them, counted up to
 * {@link RANK_COUNTED_TO} (a count reads what it counts). Undefined when not on the leaderboard.
 */
export async function rankOf(db: Db, communityId: string, member: Member, points: number): Promise<number | undefined> {
  if (!earnsPoints(member) || member.status !== 'member' || points <= 0) return undefined;
  const mine = rankIndexKeys(communityId, member.id, points).rankSk;
  return 1 + (await countAbove(db, INDEXES.byRank, rankPk(communityId), mine, RANK_COUNTED_TO));
}

/** A reply or reaction from `giver` to `author`'s message (`message` a short key, `-` when unknown). */
export interface Credit {
  kind: 'r' | 'a';
  author: string;
  message: string;
  giver: string;
}

/** How long a credit given is remembered: as long as the day rows it could come from. */
const CREDIT_RETENTION_DAYS = 400;

/**
 * Whether a credit counts on `day`: the first day a giver replies or reacts
 * to one message credits its author, and no later day does (a second emoji
 * on another day). A repeated run of the same day counts it again, so a run
 * cut short loses nothing. A credit to a message the platform named no id
 * for counts once a day (the day row's set already made it one).
 */
export async function creditCounts(db: Db, communityId: string, credit: Credit, day: string): Promise<boolean> {
  if (credit.message === '-') return true;
  const update = new UpdateBuilder()
    .setIfAbsent('day', day)
    .setIfAbsent('expiresAt', Math.floor(Date.parse(`${day}T00:00:00Z`) / 1000) + CREDIT_RETENTION_DAYS * 86_400);
  const first = update.name('day');
  const condition = `attribute_not_exists(${first}) OR ${first} = ${update.value(day)}`;
  const key = {
    pk: `C#${communityId}#CREDITS`,
    sk: `${credit.author}#${credit.message}#${credit.kind}#${credit.giver}`,
  };
  return (await updateItem(db, key, update, { condition })) !== undefined;
}

/** Put a member who came back on the leaderboard with the points they kept. */
export async function rejoinLeaderboard(db: Db, communityId: string, member: StandingMember): Promise<void> {
  const points = member.points ?? 0;
  if (!earnsPoints(member) || member.forgottenAt || points <= 0) return;
  const update = new UpdateBuilder();
  for (const [attribute, value] of Object.entries(rankIndexKeys(communityId, member.id, points))) {
    update.set(attribute, value);
  }
  // Only while the points are still those read: a fold in between sets the place itself.
  await updateItem(db, memberKey(communityId, member.id), update, {
    condition: `${update.name('points')} = ${update.value(points)} AND ${update.name('status')} = ${update.value('member')}`,
  });
}

/** Take a member off the leaderboard (they left, or asked to be forgotten); their points stay. */
export async function leaveLeaderboard(db: Db, communityId: string, memberId: string): Promise<void> {
  const update = new UpdateBuilder().remove('rankPk', 'rankSk');
  await updateItem(db, memberKey(communityId, memberId), update, {
    condition: `attribute_exists(${update.name('id')})`,
  });
}

/** A congratulation on a new level, once per level, when `points.levelUp` asks for one. */
export function congratulateLevel(
  db: Db,
  community: CommunityConfig,
  memberId: string,
  write: StandingWrite,
  now: Date,
): Promise<boolean> {
  const level = levelOf(write.after);
  const { levelUp, channel } = community.points;
  if (levelUp === 'off' || level <= levelOf(write.before)) return Promise.resolve(false);
  return enqueue(
    db,
    {
      id: outboxId('level.up', community.id, memberId, `L${level}`),
      communityId: community.id,
      kind: 'level.up',
      memberId,
      delivery: levelUp,
      ...(channel ? { channel } : {}),
      vars: { level: String(level) },
      dueAt: now.toISOString(),
    },
    now,
  );
}
