import { mkdir, readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import { parseCommunityConfig } from '../../shared/domain/config';
import { logger } from '../../shared/runtime/observability';
import { listCommunities, putCommunity } from '../../shared/store/communities';
import { createDb, type Db } from '../../shared/store/db';
import { queueDefinition } from '../topology';
import { LocalBus } from './bus';
import { copyTable, DataFolderInUseError, ensureTable, LOCAL_TABLE, startDynalite } from './dynamo';
import { type LocalFunctions, localFunctions } from './functions';
import { startHttpServer } from './http';
import { LocalQueue } from './queue';
import { reapExpired } from './reaper';
import { LocalScheduler } from './scheduler';
import { removeStackInfo, runningStack, writeStackInfo } from './stack-file';

/**
 * The whole local stack: embedded DynamoDB on disk, the webhook HTTP server,
 * the in-process bus and scheduler, the TTL reaper, outboxes on disk.
 */

const REAP_EVERY_MS = 60 * 60 * 1000;

export interface LocalStackOptions {
  dataDir: string;
  port: number;
  schedules: boolean;
  /** Config to create when no community exists yet. */
  demoConfigFile?: string;
  /** The time the functions and the reaper see (the demo's simulated clock); the real time by default. */
  clock?: () => Date;
  /**
   * Keep the table in memory while the stack runs and write it to the data folder at stop (the demo, which
   * replays weeks in a couple of minutes: LevelDB on disk makes it about a sixth slower). A crash loses the
   * run; the folder must hold no table yet.
   */
  inMemoryUntilStop?: boolean;
}

export interface LocalStack {
  db: Db;
  endpoint: string;
  webhookBaseUrl: string;
  dataDir: string;
  /**
   * The community the banner names. `sampleSecret` is the bundled demo's secret, there only while the stored
   * community is that demo unchanged (examples/community.json): a secret an operator stored is never printed.
   */
  demo?: { id: string; created: boolean; sampleSecret?: string };
  functions: LocalFunctions;
  bus: LocalBus;
  /** The sweeps' fan-out queue (topology QUEUES). */
  sweepQueue: LocalQueue;
  /** Domain events accepted by the previous run and delivered again at this start. */
  replayed: number;
  stop(): Promise<void>;
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const dataDir = resolve(options.dataDir);
  const running = await runningStack(dataDir);
  if (running) {
    throw new DataFolderInUseError(`${dataDir} (the local stack, pid ${running.pid}, ${running.webhookBaseUrl})`);
  }
  await mkdir(join(dataDir, 'outbox', 'mail'), { recursive: true });
  const dbPath = join(dataDir, 'db');
  const dynamo = await startDynalite(options.inMemoryUntilStop ? {} : { path: dbPath });
  await ensureTable(dynamo.endpoint, LOCAL_TABLE);
  const db = createDb({ table: LOCAL_TABLE, endpoint: dynamo.endpoint });

  let functions: LocalFunctions | undefined;
  const bus = new LocalBus(() => functions as LocalFunctions, dataDir);
  const clock = options.clock ?? (() => new Date());
  const sweepQueue = new LocalQueue(queueDefinition('sweeps'), () => functions as LocalFunctions);
  functions = localFunctions({ db, dataDir, publisher: bus, clock, sweepQueue });
  // What the bus accepted before the last stop or crash and had not yet delivered goes now.
  const replayed = await bus.replay();

  const demo = options.demoConfigFile ? await ensureDemoCommunity(db, options.demoConfigFile) : undefined;
  const server: Server = await startHttpServer(functions, options.port);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const webhookBaseUrl = `http://127.0.0.1:${port}/webhooks`;

  const scheduler = new LocalScheduler(functions);
  if (options.schedules) scheduler.start();
  const reap = () => reapExpired(db, clock()).catch((error) => logger.error('reaper failed', { error }));
  const reaper = setInterval(reap, REAP_EVERY_MS);
  reaper.unref();
  void reap();

  await writeStackInfo(dataDir, {
    pid: process.pid,
    endpoint: dynamo.endpoint,
    table: LOCAL_TABLE,
    webhookBaseUrl,
    startedAt: new Date().toISOString(),
  });

  return {
    db,
    endpoint: dynamo.endpoint,
    webhookBaseUrl,
    dataDir,
    demo,
    functions,
    bus,
    sweepQueue,
    replayed,
    async stop() {
      clearInterval(reaper);
      await new Promise<void>((done) => {
        server.close(() => done());
        server.closeIdleConnections();
      });
      await scheduler.stop();
      await sweepQueue.drain();
      await bus.drain();
      db.doc.destroy();
      try {
        if (options.inMemoryUntilStop) await copyTable(dynamo.endpoint, LOCAL_TABLE, dbPath);
      } finally {
        await dynamo.close();
        await removeStackInfo(dataDir);
      }
    },
  };
}

/** With no community configured yet, store the demo one. */
async function ensureDemoCommunity(db: Db, file: string): Promise<NonNullable<LocalStack['demo']>> {
  const existing = await listCommunities(db);
  const bundled = parseCommunityConfig(JSON.parse(await readFile(file, 'utf8')));
  if (existing.length > 0) {
    const demo = existing.find((c) => c.id === bundled.id) ?? existing[0];
    const isBundled = demo.id === bundled.id && demo.webhookSecret === bundled.webhookSecret;
    return { id: demo.id, created: false, ...(isBundled ? { sampleSecret: bundled.webhookSecret } : {}) };
  }
  await putCommunity(db, bundled, new Date());
  return { id: bundled.id, created: true, sampleSecret: bundled.webhookSecret };
}
