import { ENV, optionalEnv, requireEnv } from '../shared/runtime/env';
import { SqsSweepQueue } from '../shared/runtime/sqs-queue';
import { createDb } from '../shared/store/db';
import { createSweepsHandler } from '../shared/workflows/sweeps-handler';

/**
 * Scheduled hourly, one job per schedule: the fan-out, which queues one message per community; then those
 * messages in batches, each community's run of its job (`shared/workflows/fanout.ts`).
 */
const db = createDb({ table: requireEnv(ENV.table), endpoint: optionalEnv(ENV.dynamoEndpoint) });
const queueUrl = optionalEnv(ENV.sweepQueue);

export const handler = createSweepsHandler({ db, ...(queueUrl ? { queue: new SqsSweepQueue(queueUrl) } : {}) });
