import { Worker } from 'node:worker_threads';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createDb } from '../../shared/store/db';
import { createTableInput } from '../../shared/store/table';

/** The table's name in the local engine (the stack's and the CLI's when no stack runs). */
export const LOCAL_TABLE = 'hearth';

/**
 * The embedded DynamoDB: dynalite in a worker thread, on disk under the data
 * folder (or in memory without a path), listening on loopback. dynalite holds
 * an exclusive lock on its folder, so other processes (the CLI) reach it over
 * its endpoint instead of opening the folder.
 */
export interface EmbeddedDynamo {
  endpoint: string;
  close(): Promise<void>;
}

/** Another process (a running stack, another hearth command) has the data folder open. */
export class DataFolderInUseError extends Error {
  override name = 'DataFolderInUseError';
  constructor(readonly folder: string) {
    super(
      `the data folder ${folder} is in use by another Hearth process (a running npm start, or another hearth command)`,
    );
  }
}

/** Start dynalite; `path` undefined keeps data in memory. Port 0 picks a free port. */
export async function startDynalite(options: { path?: string; port?: number } = {}): Promise<EmbeddedDynamo> {
  const worker = new Worker(new URL('./dynalite-worker.mjs', import.meta.url), {
    workerData: { path: options.path, port: options.port ?? 0 },
  });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (message: { type: string; port?: number; message?: string }) => {
      if (message.type === 'listening') resolve(message.port as number);
      if (message.type === 'error') reject(new Error(`embedded DynamoDB failed: ${message.message}`));
      if (message.type === 'in-use') {
        void worker.terminate();
        reject(new DataFolderInUseError(options.path as string));
      }
    });
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async close() {
      const closed = new Promise<void>((resolve) =>
        worker.on('message', (m: { type: string }) => m.type === 'closed' && resolve()),
      );
      worker.postMessage('close');
      await Promise.race([closed, new Promise((r) => setTimeout(r, 2000))]);
      await worker.terminate();
    },
  };
}

/** How long a table may stay CREATING before the start gives up: dynalite turns it ACTIVE on its next tick. */
const ACTIVE_WITHIN_MS = 5_000;

/**
 * Create the table from the shared definition unless it exists, and wait until it is ACTIVE: dynalite answers
 * CreateTable with a CREATING table and refuses every read of it until then (ResourceNotFoundException), which
 * a first request under load could otherwise meet.
 */
export async function ensureTable(endpoint: string, table: string): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: process.env.AWS_REGION ?? 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    let status: string | undefined;
    try {
      status = (await client.send(new DescribeTableCommand({ TableName: table }))).Table?.TableStatus;
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
      status = (await client.send(new CreateTableCommand(createTableInput(table)))).TableDescription?.TableStatus;
    }
    for (const began = Date.now(); status !== 'ACTIVE'; ) {
      if (Date.now() - began > ACTIVE_WITHIN_MS) {
        throw new Error(
          `table ${table} is still ${status} after ${ACTIVE_WITHIN_MS / 1000} s (a process that died while creating it leaves it so: remove the data folder)`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
      status = (await client.send(new DescribeTableCommand({ TableName: table }))).Table?.TableStatus;
    }
  } finally {
    client.destroy();
  }
}

/**
 * Write every item of `table` at `from` into a fresh on-disk engine at
 * `path` (created there with the same definition), and close that engine.
 * The demo replays into an in-memory engine, about a sixth faster than
 * LevelDB on disk, and keeps its data folder this way. A local stand-in's
 * copy, not a production path: it reads the whole table with Scan.
 */
export async function copyTable(from: string, table: string, path: string): Promise<number> {
  const target = await startDynalite({ path });
  const source = createDb({ table, endpoint: from });
  const sink = createDb({ table, endpoint: target.endpoint });
  let copied = 0;
  try {
    await ensureTable(target.endpoint, table);
    let start: Record<string, unknown> | undefined;
    do {
      const page = await source.doc.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
      const items = page.Items ?? [];
      for (let i = 0; i < items.length; i += 25) {
        let requests = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
        for (let attempt = 0; requests.length > 0; attempt++) {
          if (attempt === 5) throw new Error(`copying the table to ${path}: the engine kept refusing writes`);
          const written = await sink.doc.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
          requests = (written.UnprocessedItems?.[table] ?? []) as typeof requests;
        }
      }
      copied += items.length;
      start = page.LastEvaluatedKey;
    } while (start);
  } finally {
    source.doc.destroy();
    sink.doc.destroy();
    await target.close();
  }
  return copied;
}
