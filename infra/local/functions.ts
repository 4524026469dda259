import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import { FileChatSender } from '../../shared/chat/sender';
import { chatSenderCache } from '../../shared/chat/senders';
import type { EventPublisher } from '../../shared/events/domain-events';
import { pipelineMetrics } from '../../shared/runtime/observability';
import { literalSecrets } from '../../shared/runtime/secrets';
import { CommunityCache } from '../../shared/store/communities';
import type { Db } from '../../shared/store/db';
import { ProfileCache } from '../../shared/store/profile-cache';
import { createWebhookHandler } from '../../shared/webhook/http';
import { createDispatcherHandler, createLifecycleHandler, createSweepsHandler } from '../../shared/workflows/handlers';
import type { FunctionName } from '../topology';

/**
 * The same handlers the Lambdas export, wired to local stand-ins: the embedded
 * table, the in-process bus, literal secrets, and outboxes on disk.
 */
// biome-ignore lint/suspicious/noExplicitAny: each function takes its own event shape, as Lambda does.
export type LocalFunctions = Record<FunctionName, (event: any, context: Context) => Promise<any>>;

export interface LocalDeps {
  db: Db;
  dataDir: string;
  publisher: EventPublisher;
  clock?: () => Date;
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
    webhook: createWebhookHandler(
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
    lifecycle: createLifecycleHandler({ db: deps.db, communities }, clock),
    sweeps: createSweepsHandler({ db: deps.db }, clock),
    dispatcher: createDispatcherHandler(
      { db: deps.db, communities, senderFor: (community) => senders(community) ?? chat },
      clock,
    ),
  };
}

/** A Lambda context for a local invocation. */
export function lambdaContext(functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: crypto.randomUUID(),
    logGroupName: `/local/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
