import type { EventBridgeEvent } from 'aws-lambda';
import type { DomainEvent, DomainEventType } from '../events/domain-events';
import { jobHandler } from '../runtime/handler';
import { logger, parkedMetrics } from '../runtime/observability';
import type { CommunityCache } from '../store/communities';
import type { Db } from '../store/db';
import { type DispatchDeps, dispatch } from './dispatch';
import { reactTo } from './react';

/**
 * Lambda-shaped handlers for the workflows, shared by the function entry
 * files (AWS) and the local runtime (in-process bus and scheduler). The
 * sweeps' handler has a module of its own (`sweeps-handler.ts`), since it
 * alone loads the jobs' bodies.
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
