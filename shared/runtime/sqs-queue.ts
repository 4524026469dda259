import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SweepMessage, SweepQueue } from '../workflows/fanout';

/** SendMessageBatch takes at most 10 messages a call. */
const BATCH = 10;
/** A batch's refused entries are sent again this many times before the fan-out fails. */
const RESENDS = 2;

/**
 * Fanned-out sweeps on an SQS queue. A batch can succeed in part: the
 * entries SQS refused are sent again, and if some are still refused the
 * fan-out throws, so the schedule's own retry runs the job's fan-out again
 * (a community queued twice runs twice, which its mark makes harmless).
 */
export class SqsSweepQueue implements SweepQueue {
  constructor(
    private readonly queueUrl: string,
    private readonly client: SQSClient = new SQSClient({}),
  ) {}

  async send(messages: readonly SweepMessage[]): Promise<void> {
    for (let i = 0; i < messages.length; i += BATCH) {
      let entries = messages.slice(i, i + BATCH).map((message, n) => ({
        Id: String(n),
        MessageBody: JSON.stringify(message),
      }));
      for (let attempt = 0; entries.length; attempt++) {
        const result = await this.client.send(
          new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: entries }),
        );
        const refused = new Set((result.Failed ?? []).map((failure) => failure.Id));
        entries = entries.filter((entry) => refused.has(entry.Id));
        if (entries.length && attempt >= RESENDS) {
          throw new Error(
            `SQS refused ${entries.length} sweep message(s): ${(result.Failed ?? [])[0]?.Code ?? 'unknown'}`,
          );
        }
      }
    }
  }
}
