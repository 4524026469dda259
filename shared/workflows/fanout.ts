import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { CommunityConfig } from '../domain/config';
import * as z from '../domain/zod';
import { logger } from '../runtime/observability';
import { listCommunityIds } from '../store/communities';
import type { Db } from '../store/db';

/**
 * A sweep fanned out per community. The schedule starts a job once an hour;
 * that invocation only lists the communities (one Query of a small directory
 * partition) and queues one message per community. Each message is then one
 * community's run of the job, so a deployment's hour of sweeps is as many
 * short invocations as it has communities, run a bounded number at a time,
 * instead of one invocation looping over all of them under a 300 s limit.
 * Each community's run is idempotent by its own mark (and by deterministic
 * outbox ids), so a message delivered twice or retried changes nothing.
 */

/** One community's run of one job: the body of a queued message. */
export interface SweepMessage {
  job: string;
  communityId: string;
}

const SweepMessageSchema = z.object({
  job: z.string().check(z.minLength(1)),
  communityId: z.string().check(z.minLength(1)),
});

/** Where fanned-out runs are queued (SQS in AWS; the local stack's in-process queue). */
export interface SweepQueue {
  /** Queue every message; resolves once all are accepted, else throws (the schedule's retry starts again). */
  send(messages: readonly SweepMessage[]): Promise<void>;
}

/** Whether an invocation's event is a batch of queued messages (an SQS event source's). */
export const isQueueBatch = (event: unknown): event is SQSEvent =>
  Array.isArray((event as Partial<SQSEvent> | undefined)?.Records);

/** What a fan-out did. */
export interface FanOutReport {
  job: string;
  fannedOut: number;
}

/** Queue one run of `job` for each community in the directory. */
export async function fanOut(db: Db, queue: SweepQueue, job: string): Promise<FanOutReport> {
  const ids = await listCommunityIds(db);
  await queue.send(ids.map((communityId) => ({ job, communityId })));
  return { job, fannedOut: ids.length };
}

/**
 * A community's run is started only with this much of the invocation left: most take milliseconds, but a
 * holiday to every member of a very large community takes minutes, and one cut off by the timeout would fail
 * the whole batch (every other message in it tried again, towards its dead-letter queue).
 */
export const QUEUED_RUN_BUDGET_MS = 60_000;

/** How one community's run of a job is done (the sweep, given that one community). */
export type CommunityRun = (job: string, community: CommunityConfig) => Promise<object>;

/**
 * Run a batch of queued messages, one community at a time, and name the ones that failed, so that only those
 * are delivered again (`ReportBatchItemFailures`) and, after the queue's last attempt, parked in its
 * dead-letter queue, whose alarm an operator sees. A body that is not a message fails the same way: it
 * would never succeed, and the dead-letter queue is where someone looks. A community that no longer exists
 * is done: there is nothing to sweep.
 */
export async function runQueued(
  /** The community's config (the handler keeps them a few seconds: the jobs of one minute share a read). */
  communityOf: (communityId: string) => Promise<CommunityConfig | undefined>,
  event: SQSEvent,
  run: CommunityRun,
  timeLeftMs?: () => number,
): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchItemFailure[] = [];
  for (const [i, record] of event.Records.entries()) {
    if (timeLeftMs && timeLeftMs() < QUEUED_RUN_BUDGET_MS) {
      // Not started: back to the queue for another invocation, rather than the whole batch failing at the timeout.
      logger.warn('queued sweeps left for another run: out of time', { left: event.Records.length - i });
      batchItemFailures.push(...event.Records.slice(i).map((r) => ({ itemIdentifier: r.messageId })));
      break;
    }
    const parsed = SweepMessageSchema.safeParse(safeJson(record.body));
    if (!parsed.success) {
      logger.error('queued sweep message is not one', { messageId: record.messageId });
      batchItemFailures.push({ itemIdentifier: record.messageId });
      continue;
    }
    const { job, communityId } = parsed.data;
    try {
      const community = await communityOf(communityId);
      if (!community) {
        logger.warn('queued sweep for an unknown community', { job, communityId });
        continue;
      }
      const report = await run(job, community);
      logger.info(job, { communityId, ...report });
    } catch (error) {
      logger.error('queued sweep failed', { job, communityId, error: error as Error });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
