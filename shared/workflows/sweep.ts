import type { CommunityConfig } from '../domain/config';
import { addDays, dayIn } from '../domain/time';
import { logger } from '../runtime/observability';
import type { Db } from '../store/db';
import { getSweepMark, setSweepMark, sweepMarkKnownAtLeast } from '../store/sweeps';

/**
 * What the per-community daily sweeps (drip and win-back) share: each
 * community's days to decide, and the index lookups that find the members
 * of one day.
 */

/** A scheduled run catches up at most this many missed days. */
export const MAX_CATCH_UP_DAYS = 7;

/** How one sweep run is started. */
export interface SweepOptions {
  /** An as-of run (`hearth run <job> --at`): only the period of `now`, and no mark moves. */
  asOf?: boolean;
}

/**
 * The community days a run decides: the community's local day of `now`, and
 * on a scheduled run also the days since its mark that were missed.
 */
async function daysToSweep(
  db: Db,
  job: string,
  community: CommunityConfig,
  now: Date,
  options: SweepOptions,
): Promise<string[]> {
  const today = dayIn(now, community.timezone);
  if (options.asOf) return [today];
  // Run hourly, a daily sweep finds its day done 23 times in 24: this process knowing so saves the read.
  if (sweepMarkKnownAtLeast(db, job, today, community.id)) return [];
  const mark = await getSweepMark(db, job, community.id);
  if (mark !== undefined && mark >= today) return [];
  const days: string[] = [];
  for (let day = addDays(today, -(MAX_CATCH_UP_DAYS - 1)); day <= today; day = addDays(day, 1)) {
    if (mark === undefined ? day === today : day > mark) days.push(day);
  }
  return days;
}

/** What one daily sweep did. */
export interface DailySweepReport {
  communities: number;
  days: number;
  /** Members the index lookups named. */
  found: number;
  /** Outbox items that are new. */
  queued: number;
}

/**
 * Run a daily sweep: for each community `enabled` says takes part, `decide`
 * each of its days to sweep, then move its mark past them (scheduled runs).
 */
export async function sweepDays(
  db: Db,
  job: string,
  communities: readonly CommunityConfig[],
  now: Date,
  options: SweepOptions,
  enabled: (community: CommunityConfig) => boolean,
  decide: (community: CommunityConfig, day: string, report: DailySweepReport) => Promise<void>,
): Promise<DailySweepReport> {
  const report: DailySweepReport = { communities: 0, days: 0, found: 0, queued: 0 };
  await eachCommunity(job, communities, async (community) => {
    if (!enabled(community)) return;
    report.communities++;
    const days = await daysToSweep(db, job, community, now, options);
    for (const day of days) {
      report.days++;
      await decide(community, day, report);
    }
    if (days.length && !options.asOf) await setSweepMark(db, job, days[days.length - 1], community.id);
  });
  return report;
}

/**
 * `work` for each community in turn. One community's failure does not hold back the others; the run still
 * fails afterwards, so the scheduler's or the queue's retry (and its alarm) sees it, and each community's mark
 * stays where its own work got to, so the retry redoes only what was not done.
 */
export async function eachCommunity(
  job: string,
  communities: readonly CommunityConfig[],
  work: (community: CommunityConfig) => Promise<void>,
): Promise<void> {
  const failures: Error[] = [];
  for (const community of communities) {
    try {
      await work(community);
    } catch (error) {
      logger.error(`${job} sweep failed for a community`, { communityId: community.id, error: error as Error });
      failures.push(error as Error);
    }
  }
  if (failures.length) throw new AggregateError(failures, `${job}: ${failures.length} communities failed`);
}

/** Writes a sweep keeps in flight at once, so a large community's fit in one run. */
export const WRITES_IN_FLIGHT = 16;

/** `work` for each item, {@link WRITES_IN_FLIGHT} at a time, in order of the items; the results in the same order. */
export async function inFlight<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += WRITES_IN_FLIGHT) {
    results.push(...(await Promise.all(items.slice(i, i + WRITES_IN_FLIGHT).map(work))));
  }
  return results;
}
