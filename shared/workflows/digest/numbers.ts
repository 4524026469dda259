import type { CommunityConfig } from '../../domain/config';
import { dayIn } from '../../domain/time';
import { memberDayRows } from '../../store/days';
import type { Db } from '../../store/db';
import { batchGet } from '../../store/db';
import { deliveriesBetween, failedWaiting } from '../../store/deliveries';
import { memberKey } from '../../store/keys';
import { membershipDays } from '../../store/membership';
import { dripCompletion } from '../onboarding/completion';
import { funnelOf, referrerTallies } from '../referrals/store';
import { tiersReport } from '../standing/leaderboard';
import { winbackTallies } from '../winback/store';
import { GOOD_DIRECTION, goodWhenUp, METRICS } from './directions';
import { type ActivityNumbers, activityNumbers, ratio } from './metrics';
import { daysOf, type Period, periodOf, previousPeriod } from './periods';
import { type KeptNumbers, keepNumbers, keptNumbers } from './store';

/**
 * Everything a digest says about one period, read from what the workflows
 * recorded: the day rows and the membership count (activity, growth,
 * lifecycle), the dispatcher's tallies (automation), the win-back tally, the
 * referral funnel and tallies, and the tier counts. No message history, no
 * Scan. A number that cannot be read fails the whole (no zeros in its place).
 */

/** How many top referrers are listed. */
export const TOP_REFERRERS = 5;

/** What one period's digest reports. */
export interface PeriodNumbers extends ActivityNumbers {
  /** Items sent by kind, held back by reason, parked as failed; failed items waiting for an operator now. */
  automation: { sent: Record<string, number>; held: Record<string, number>; failed: number; failedWaiting: number };
  /** Win-backs sent in the period before, and the share whose member was active again within 7 days. */
  winbacksSent: number;
  winbackSuccess: number | null;
  /** The newcomers whose drip ended in the period, and the share of them sent the welcome and every step. */
  dripFinished: number;
  dripCompletion: number | null;
  /** The referral funnel of the period's weeks, and its top referrers by referrals qualified. */
  referrals: {
    codesIssued: number;
    joinedThroughCode: number;
    qualified: number;
    top: Array<{ memberId: string; name?: string; qualified: number; joined: number }>;
  };
  /** The tiers as the period's last weekly review left them, and the moves of its weeks. */
  tiers: { distribution: Record<string, number>; promoted: number; demoted: number };
}

/** The ISO weeks whose Monday falls in `period` (a week's funnel and tier moves are per ISO week). */
function weeksOf(period: Period): Period[] {
  if (period.kind === 'week') return [period];
  return daysOf(period)
    .filter((day) => new Date(`${day}T12:00:00Z`).getUTCDay() === 1)
    .map((day) => periodOf('week', day));
}

/** The numbers of `period` for `community`, computed now from what is stored. */
export async function periodNumbers(db: Db, community: CommunityConfig, period: Period): Promise<PeriodNumbers> {
  const before = previousPeriod(period);
  const weeks = weeksOf(period);
  // Every read is independent of the others: all of them at once.
  const [activity, deliveries, waiting, drip, winbacks, perWeek] = await Promise.all([
    activityNumbers(
      (day) => memberDayRows(db, community.id, day),
      period,
      membershipDays(db, community.id, period.last),
    ),
    deliveriesBetween(db, community.id, period.first, period.last),
    failedWaiting(db, community.id),
    dripCompletion(db, community, daysOf(period)),
    winbackTallies(db, community.id, before.first, before.last),
    Promise.all(
      weeks.map(async (week) => {
        const [steps, tallies, moved] = await Promise.all([
          funnelOf(db, community.id, week.key),
          referrerTallies(db, community.id, week.key),
          tiersReport(db, community.id, week.key),
        ]);
        return { steps, tallies, moved };
      }),
    ),
  ]);
  const winbacksSent = winbacks.reduce((sum, t) => sum + t.sent, 0);
  const wonBack = winbacks.reduce((sum, t) => sum + t.wonBack, 0);
  const funnel = { codesIssued: 0, joinedThroughCode: 0, qualified: 0 };
  const top = new Map<string, { memberId: string; qualified: number; joined: number }>();
  const tiers = { promoted: 0, demoted: 0 };
  for (const { steps, tallies, moved } of perWeek) {
    funnel.codesIssued += steps.issued;
    funnel.joinedThroughCode += steps.joined;
    funnel.qualified += steps.qualified;
    for (const tally of tallies) {
      const entry = top.get(tally.referrerId) ?? { memberId: tally.referrerId, qualified: 0, joined: 0 };
      entry.qualified += tally.qualified.size;
      entry.joined += tally.joined.size;
      top.set(tally.referrerId, entry);
    }
    tiers.promoted += moved.promoted;
    tiers.demoted += moved.demoted;
  }
  const topReferrers = [...top.values()]
    .filter((t) => t.qualified > 0 || t.joined > 0)
    .sort((a, b) => b.qualified - a.qualified || b.joined - a.joined || (a.memberId < b.memberId ? -1 : 1))
    .slice(0, TOP_REFERRERS);
  // The people listed, by name where the member has one (one batch read of at most 10 members).
  const names = await memberNames(db, community.id, [
    ...activity.topContributors.map((c) => c.memberId),
    ...topReferrers.map((t) => t.memberId),
  ]);
  const named = <T extends { memberId: string }>(person: T): T & { name?: string } => {
    const name = names.get(person.memberId);
    return name ? { ...person, name } : person;
  };
  // The distribution the period's last weekly review left: its last week's (whose Monday is always in it).
  const { distribution } = perWeek[perWeek.length - 1].moved;
  return {
    ...activity,
    topContributors: activity.topContributors.map(named),
    automation: { ...deliveries, failedWaiting: waiting },
    winbacksSent,
    winbackSuccess: ratio(wonBack, winbacksSent),
    dripFinished: drip.finished,
    dripCompletion: ratio(drip.completed, drip.finished),
    referrals: {
      ...funnel,
      top: topReferrers.map(named),
    },
    tiers: { distribution, ...tiers },
  };
}

/** The names of the members among `ids` who have one. */
export async function memberNames(db: Db, communityId: string, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const keys = [...new Set(ids)].map((id) => memberKey(communityId, id));
  const members = await batchGet<{ id: string; name?: string }>(db, keys, {
    projection: '#i, #n',
    names: { '#i': 'id', '#n': 'name' },
  });
  return new Map(members.filter((m) => m.name).map((m) => [m.id, m.name as string]));
}

/** The kept metrics of a period's numbers. */
export const keptOf = (numbers: PeriodNumbers): KeptNumbers =>
  Object.fromEntries(METRICS.map((metric) => [metric, (numbers as unknown as KeptNumbers)[metric] ?? null]));

/**
 * The kept metrics of `period`: its row when kept, else computed now, and
 * kept when the period has ended by `now` in the community's zone.
 */
export async function metricsOf(db: Db, community: CommunityConfig, period: Period, now: Date): Promise<KeptNumbers> {
  const kept = await keptNumbers(db, community.id, period);
  if (kept) return kept;
  const numbers = keptOf(await periodNumbers(db, community, period));
  if (period.last < dayIn(now, community.timezone)) await keepNumbers(db, community.id, period, numbers);
  return numbers;
}

/** A metric against the period before: (this − last) ÷ last; null ("n/a") when last was 0 or unknown. */
export { GOOD_DIRECTION, METRICS };

export interface Change {
  value: number | null;
  previous: number | null;
  change: number | null;
  /** Whether it moved the good way; null when it did not move or cannot be compared. */
  good: boolean | null;
}

export function changeOf(metric: string, value: number | null, previous: number | null): Change {
  // Against the size of last period's value: net from −10 to −5 is up 50 %, not down.
  const change = value === null || previous === null || previous === 0 ? null : (value - previous) / Math.abs(previous);
  const good = change === null || change === 0 ? null : change > 0 === goodWhenUp(metric);
  return { value, previous, change, good };
}
