import type { EventBridgeEvent, SQSEvent } from 'aws-lambda';
import type { DomainEvent, DomainEventType } from '../events/domain-events';
import { jobHandler } from '../runtime/handler';
import { logger, parkedMetrics } from '../runtime/observability';
import { CommunityCache, CommunityListCache, listCommunities } from '../store/communities';
import type { Db } from '../store/db';
import { type DispatchDeps, dispatch } from './dispatch';
import { fanOut, isQueueBatch, runQueued, type SweepQueue } from './fanout';
import { reactTo } from './react';
import { WORKFLOW_JOBS } from './registry';

/**
 * Lambda-shaped handlers for the workflows, shared by the function entry
 * files (AWS) and the local runtime (in-process bus and scheduler).
 */

/** The scheduler's input: which job, and optionally the time to run it as. */
export interface JobEvent {
  job: string;
  at?: string;
}

/** The bus target for member lifecycle events: each workflow's reactions (see `react.ts`). */
export function createLifecycleHandler(deps: { db: Db; communities: CommunityCache }, clock = () => new Date()) {
  return jobHandler(async (event: EventBridgeEvent<DomainEventType, DomainEvent>) => {
    const now = clock();
    const community = await deps.communities.get(event.detail.communityId, now);
    if (!community) {
      logger.warn('event for unknown community', { communityId: event.detail.communityId });
      return { outcome: 'ignored' };
    }
    const outcomes = await reactTo(deps.db, community, event.detail, now);
    logger.info('lifecycle', { type: event.detail.type, communityId: community.id, ...outcomes });
    return { outcomes };
  });
}

/** The sweeps the schedules start, by job name: every workflow job that has a run. */
const SWEEPS = new Map(WORKFLOW_JOBS.flatMap((job) => (job.run ? [[job.name, job.run] as const] : [])));

function sweepOf(job: string) {
  const sweep = SWEEPS.get(job);
  if (!sweep) throw new Error(`sweeps: no sweep for job ${job}`);
  return sweep;
}

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
        (job, community) => sweepOf(job)(deps.db, [community], clock(), {}),
        () => context.getRemainingTimeInMillis(),
      );
    }
    const sweep = sweepOf(event.job);
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

/** The scheduled dispatcher. */
export function createDispatcherHandler(deps: DispatchDeps, clock = () => new Date()) {
  return jobHandler(async (event: JobEvent, context) => {
    const now = event.at ? new Date(event.at) : clock();
    // Stop claiming while there is still time to settle what was claimed (see SEND_BUDGET_MS).
    const timeLeftMs = () => context.getRemainingTimeInMillis();
    const report = await dispatch({ timeLeftMs, ...deps }, now, { asOf: event.at !== undefined });
    logger.info('dispatch', { ...report });
    parkedMetrics(report.parked);
    return report;
  });
}
