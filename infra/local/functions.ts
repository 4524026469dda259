// First, before anything loads Powertools: the invocation store (a process may have inherited its variable).
import './invoke-store';
import { join } from 'node:path';
import { InvokeStoreBase } from '@aws/lambda-invoke-store';
import type { Context } from 'aws-lambda';
import { FileChatSender } from '../../shared/chat/sender';
import type { EventPublisher } from '../../shared/events/domain-events';
import { FileMailer, LOCAL_MAIL_FROM } from '../../shared/mail/mailer';
import { chatSenderCache } from '../../shared/platforms/outbound';
import { pipelineMetrics } from '../../shared/runtime/observability';
import { literalSecrets } from '../../shared/runtime/secrets';
import { CommunityCache } from '../../shared/store/communities';
import type { Db } from '../../shared/store/db';
import { ProfileCache } from '../../shared/store/profile-cache';
import { createWebhookHandler } from '../../shared/webhook/http';
import type { SweepQueue } from '../../shared/workflows/fanout';
import { createDispatcherHandler, createLifecycleHandler } from '../../shared/workflows/handlers';
import { createSweepsHandler } from '../../shared/workflows/sweeps-handler';
import { type FunctionDefinition, type FunctionName, functionDefinition, SCHEDULES } from '../topology';
import { invokeStore } from './invoke-store';

/**
 * The same handlers the Lambdas export, wired to local stand-ins: the embedded
 * table, the in-process bus, literal secrets, and outboxes on disk.
 */
/** A function as the local runtime invokes it: with an event, as Lambda is invoked; the context is made per call. */
// biome-ignore lint/suspicious/noExplicitAny: each function takes its own event shape, as Lambda does.
export type LocalFunction = (event: any) => Promise<any>;
export type LocalFunctions = Record<FunctionName, LocalFunction>;

export interface LocalDeps {
  db: Db;
  dataDir: string;
  publisher: EventPublisher;
  clock?: () => Date;
  /** Where a scheduled sweep fans out per community (the running stack's queue); without one it runs them all. */
  sweepQueue?: SweepQueue;
}

/** Build every function in the topology for local invocation. */
export function localFunctions(deps: LocalDeps): LocalFunctions {
  const communities = new CommunityCache(deps.db, 2_000);
  const chat = new FileChatSender(join(deps.dataDir, 'outbox', 'chat.jsonl'));
  // A community with platform credentials is posted to for real (at its `apiBaseUrl`, if set); one without
  // them (generic) writes to chat.jsonl.
  const senders = chatSenderCache(literalSecrets);
  const clock = deps.clock ?? (() => new Date());
  return {
    webhook: asLocalFunction(
      'webhook',
      createWebhookHandler(
        {
          db: deps.db,
          communities,
          secrets: literalSecrets,
          publisher: deps.publisher,
          metrics: pipelineMetrics,
          profiles: new ProfileCache(),
        },
        clock,
      ),
    ),
    lifecycle: asLocalFunction('lifecycle', createLifecycleHandler({ db: deps.db, communities }, clock)),
    sweeps: asLocalFunction(
      'sweeps',
      createSweepsHandler({ db: deps.db, ...(deps.sweepQueue ? { queue: deps.sweepQueue } : {}) }, clock),
    ),
    dispatcher: asLocalFunction(
      'dispatcher',
      createDispatcherHandler(
        {
          db: deps.db,
          communities,
          senderFor: (community) => senders(community) ?? chat,
          // Email (the digest) goes to `.eml` files, as `mail test` writes them.
          mail: {
            mailer: new FileMailer(join(deps.dataDir, 'outbox', 'mail')),
            from: process.env.MAIL_FROM ?? LOCAL_MAIL_FROM,
          },
        },
        clock,
      ),
    ),
  };
}

/**
 * A handler as the local runtime invokes it: each call gets a context that counts down from the function's
 * timeout (the topology's, or `definition`'s) and a store of its own.
 */
export function asLocalFunction(
  name: FunctionName,
  // biome-ignore lint/suspicious/noExplicitAny: the handler's own event and result shapes.
  handler: (event: any, context: Context) => Promise<any>,
  definition: FunctionDefinition = functionDefinition(name),
): LocalFunction {
  return (event: unknown) => {
    const context = lambdaContext(definition);
    return invokeStore.run({ [InvokeStoreBase.PROTECTED_KEYS.REQUEST_ID]: context.awsRequestId }, () =>
      handler(event, context),
    );
  };
}

/**
 * A Lambda context for one local invocation, started now: its remaining time counts down from the function's
 * timeout in the topology, as Lambda's does, so budgets built on it (the dispatcher's) hold locally too.
 */
export function lambdaContext(definition: FunctionDefinition, startedAt = performance.now()): Context {
  const { name, timeoutSeconds, memoryMb } = definition;
  const deadline = startedAt + timeoutSeconds * 1000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${name}`,
    memoryLimitInMB: String(memoryMb),
    awsRequestId: crypto.randomUUID(),
    logGroupName: `/local/${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, Math.floor(deadline - performance.now())),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** The function that runs a job on its schedule, or undefined for a job with none (not built yet). */
export function jobFunction(job: string): FunctionName | undefined {
  return SCHEDULES.find((schedule) => schedule.job === job)?.target;
}
