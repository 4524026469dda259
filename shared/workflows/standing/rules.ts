import type { PointsConfig, TiersConfig } from './config';

/**
 * The rules of a member's standing, as pure functions of what the day rows
 * and the member item hold: points of a day, the level of a number of points,
 * the badges of a member's totals, and the tier of their last 28 days. The
 * README's "Points, levels, badges" and "Tiers" sections describe the same
 * rules; change both together.
 */

/** The tiers, lowest first (the community plan's 潜水/新人/普通/活跃/核心/KOC). */
export const TIERS = ['lurker', 'newcomer', 'regular', 'active', 'core', 'champion'] as const;
export type Tier = (typeof TIERS)[number];
/** The tiers earned by contribution, lowest first; each has thresholds in the config. */
export const CONTRIBUTION_TIERS = ['regular', 'active', 'core', 'champion'] as const;

export const tierRank = (tier: Tier | undefined): number => TIERS.indexOf(tier ?? 'lurker');

/** The window tiers are computed over, in local days ending with the day decided. */
export const TIER_WINDOW_DAYS = 28;

/**
 * The messages of a day that earn points: in time order, one earns when no
 * earlier earning message is within the cooldown before it (`lastEarnAt`,
 * Unix seconds, carries the last one over from the day before).
 */
export function earningMessages(
  instants: Iterable<number>,
  cooldownSeconds: number,
  lastEarnAt?: number,
): { count: number; lastEarnAt?: number } {
  let last = lastEarnAt;
  let count = 0;
  for (const at of [...instants].sort((a, b) => a - b)) {
    if (last !== undefined && at - last < cooldownSeconds) continue;
    count++;
    last = at;
  }
  return { count, lastEarnAt: last };
}

/** What a member earned on one day, before and after the daily cap. */
export interface DayEarnings {
  earningMessages: number;
  repliesReceived: number;
  reactionsReceived: number;
  /** Points from activity, capped. */
  points: number;
}

export function dayPoints(config: PointsConfig, earned: Omit<DayEarnings, 'points'>): DayEarnings {
  const raw =
    earned.earningMessages * config.message +
    earned.repliesReceived * config.replyReceived +
    earned.reactionsReceived * config.reactionReceived;
  return { ...earned, points: Math.min(config.dailyCap, raw) };
}

/** Points needed for `level`: 10 × (level − 1)², so levels 1, 2, 3, 4, 5 start at 0, 10, 40, 90, 160. */
export const pointsForLevel = (level: number): number => 10 * (level - 1) ** 2;

/** The level of `points`: ⌊√(points ÷ 10)⌋ + 1. */
export const levelOf = (points: number): number => Math.floor(Math.sqrt(Math.max(0, points) / 10)) + 1;

/** A member's all-time totals, as the member item keeps them, for the badges. */
export interface StandingTotals {
  messages: number;
  repliesReceived: number;
  reactionsReceived: number;
  referralsQualified: number;
  /** The longest run of consecutive local days with an activity. */
  longestStreak: number;
}

/** A badge: awarded once, when its rule first holds; it carries no points. */
export interface Badge {
  readonly id: string;
  readonly en: string;
  readonly 'zh-CN': string;
  /** Whether the totals earn it (absent: awarded by its own rule, such as `one-year`). */
  readonly earned?: (totals: StandingTotals) => boolean;
}

export const BADGES: readonly Badge[] = [
  { id: 'first-message', en: 'First message', 'zh-CN': '初次发言', earned: (t) => t.messages >= 1 },
  { id: 'messages-100', en: '100 messages', 'zh-CN': '百条发言', earned: (t) => t.messages >= 100 },
  { id: 'messages-1000', en: '1,000 messages', 'zh-CN': '千条发言', earned: (t) => t.messages >= 1000 },
  { id: 'streak-7', en: '7-day streak', 'zh-CN': '连续 7 天', earned: (t) => t.longestStreak >= 7 },
  { id: 'streak-30', en: '30-day streak', 'zh-CN': '连续 30 天', earned: (t) => t.longestStreak >= 30 },
  { id: 'replies-10', en: '10 replies received', 'zh-CN': '收到 10 条回复', earned: (t) => t.repliesReceived >= 10 },
  {
    id: 'reactions-50',
    en: '50 reactions received',
    'zh-CN': '收到 50 个表情',
    earned: (t) => t.reactionsReceived >= 50,
  },
  { id: 'first-referral', en: 'First referral', 'zh-CN': '首次邀请', earned: (t) => t.referralsQualified >= 1 },
  { id: 'referrals-5', en: '5 referrals', 'zh-CN': '邀请 5 人', earned: (t) => t.referralsQualified >= 5 },
  { id: 'one-year', en: 'One year in the community', 'zh-CN': '入群一周年' },
  { id: 'challenge-complete', en: 'Check-in challenge completed', 'zh-CN': '完成打卡挑战' },
];

/** The badges `totals` earn. */
export const badgesEarned = (totals: StandingTotals): string[] =>
  BADGES.filter((badge) => badge.earned?.(totals)).map((badge) => badge.id);

/** What a member did in the tier window. */
export interface WindowStats {
  activeDays: number;
  messages: number;
  /** Replies and reactions received from others. */
  received: number;
  referrals: number;
}

/**
 * The tier the window earns: the highest contribution tier whose thresholds
 * all hold; else `newcomer` for a member who joined within `newcomerDays`,
 * else `lurker`.
 */
export function tierOf(stats: WindowStats, config: TiersConfig, joinedRecently: boolean): Tier {
  for (const tier of [...CONTRIBUTION_TIERS].reverse()) {
    const need = config[tier];
    if (
      stats.activeDays >= need.activeDays &&
      stats.messages >= need.messages &&
      stats.received >= need.received &&
      stats.referrals >= need.referrals &&
      // A tier that asks for nothing is not earned by nothing.
      stats.activeDays + stats.messages + stats.received + stats.referrals > 0
    ) {
      return tier;
    }
  }
  return joinedRecently ? 'newcomer' : 'lurker';
}
