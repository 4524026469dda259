import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger } from '../../shared/runtime/observability';
import type { SweepMessage, SweepQueue } from '../../shared/workflows/fanout';
import type { QueueDefinition } from '../topology';
import type { LocalFunctions } from './functions';

/** One message on its way, with how often it was delivered. */
interface Held {
  id: string;
  body: string;
  receives: number;
}

/**
 * The in-process stand-in for an SQS queue and its event source mapping: what
 * is sent is delivered to the consumer in batches of the definition's size,
 * at most `maxConcurrency` batches at once, as SQS-shaped events. The
 * messages a batch names as failed (or every message of a batch that threw)
 * are delivered again, up to `maxReceiveCount` times, and then parked in
 * `dead`, logged as an error. Messages live in memory only: a sweep starts
 * from its mark, so what a stopped stack never ran is caught up by the next
 * hour's fan-out.
 */
export class LocalQueue implements SweepQueue {
  /** Messages that failed their last delivery (the dead-letter queue). */
  readonly dead: Array<{ body: string; receives: number }> = [];
  private readonly waiting: Held[] = [];
  private readonly running = new Set<Promise<void>>();
  private sent = 0;

  constructor(
    private readonly definition: QueueDefinition,
    private readonly functions: () => LocalFunctions,
  ) {}

  async send(messages: readonly SweepMessage[]): Promise<void> {
    for (const message of messages) {
      this.waiting.push({ id: `local-${++this.sent}`, body: JSON.stringify(message), receives: 0 });
    }
    this.pump();
  }

  /** Wait until nothing is waiting or running (shutdown, the demo's simulated clock, tests). */
  async drain(): Promise<void> {
    while (this.running.size || this.waiting.length) {
      this.pump();
      await Promise.all([...this.running]);
    }
  }

  private pump(): void {
    while (this.running.size < this.definition.maxConcurrency && this.waiting.length) {
      const batch = this.waiting.splice(0, this.definition.batchSize);
      const run = this.deliver(batch).finally(() => {
        this.running.delete(run);
        this.pump();
      });
      this.running.add(run);
    }
  }

  private async deliver(batch: Held[]): Promise<void> {
    for (const held of batch) held.receives++;
    const event: SQSEvent = { Records: batch.map(record) };
    let failed: Set<string>;
    try {
      const response = (await this.functions()[this.definition.consumer](event)) as SQSBatchResponse | undefined;
      failed = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
      // As SQS does: a failure naming no message of the batch fails the whole batch.
      if ([...failed].some((id) => !batch.some((held) => held.id === id))) failed = new Set(batch.map((h) => h.id));
    } catch (error) {
      logger.error('queue batch failed', { queue: this.definition.name, error: error as Error });
      failed = new Set(batch.map((held) => held.id));
    }
    for (const held of batch) {
      if (!failed.has(held.id)) continue;
      if (held.receives < this.definition.maxReceiveCount) this.waiting.push(held);
      else {
        logger.error('queued message dead-lettered', { queue: this.definition.name, receives: held.receives });
        this.dead.push({ body: held.body, receives: held.receives });
      }
    }
  }
}

const record = (held: Held): SQSRecord => ({
  messageId: held.id,
  receiptHandle: held.id,
  body: held.body,
  attributes: {
    ApproximateReceiveCount: String(held.receives),
    SentTimestamp: String(Date.now()),
    SenderId: 'local',
    ApproximateFirstReceiveTimestamp: String(Date.now()),
  },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:local:000000000000:local',
  awsRegion: 'local',
});
