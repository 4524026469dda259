import type { SQSEvent } from 'aws-lambda';
import { jobHandler } from '../runtime/handler';
import { logger } from '../runtime/observability';
import { CommunityCache, CommunityListCache, listCommunities } from '../store/communities';
import type { Db } from '../store/db';
import { fanOut, isQueueBatch, runQueued, type SweepQueue } from './fanout';
import type { JobEvent } from './handlers';
import { jobRun } from './job-runs';

/**
 * The sweeps, one job per invocation, in three shapes:
 * - a schedule's `{ job }` with a queue: the fan-out, one queued message per community (`fanout.ts`);
 * - a batch of those messages (the queue's event source): each community's run of its job;
 * - `{ job }` without a queue, or an explicit `at` (an as-of run, `hearth run --at`): every community in
 *   this invocation.
 */
export function createSweepsHandler(deps: { db: Db; queue?: SweepQueue }, clock = () => new Date()) {
  // For a run without a queue (the local CLI, tests): every community, kept a few minutes for the jobs that follow.
  const cache = new CommunityListCache(deps.db);
  // For queued runs: each community's config, kept seconds (CommunityCache), so the jobs that fire in the
  // same minute read it once; a change reaches the next minute's runs, as it reaches the dispatcher.
  const configs = new CommunityCache(deps.db);
  return jobHandler(async (event: JobEvent | SQSEvent, context) => {
    if (isQueueBatch(event)) {
      return runQueued(
        (communityId) => configs.get(communityId, clock()),
        event,
        (job, community) => jobRun(job)(deps.db, [community], clock(), {}),
        () => context.getRemainingTimeInMillis(),
      );
    }
    const sweep = jobRun(event.job);
    if (deps.queue && !event.at) {
      const report = await fanOut(deps.db, deps.queue, event.job);
      logger.info('fan-out', { ...report });
      return report;
    }
    const now = event.at ? new Date(event.at) : clock();
    // An as-of run (hearth run --at) reads them afresh: it is asked for by hand, after a change perhaps.
    const communities = event.at ? await listCommunities(deps.db) : await cache.list(now);
    const report = await sweep(deps.db, communities, now, { asOf: event.at !== undefined });
    logger.info(event.job, { ...report });
    return report;
  });
}
