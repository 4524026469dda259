import { Worker } from 'node:worker_threads';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
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

/** Create the table from the shared definition unless it exists. */
export async function ensureTable(endpoint: string, table: string): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: process.env.AWS_REGION ?? 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    await client.send(new DescribeTableCommand({ TableName: table }));
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    await client.send(new CreateTableCommand(createTableInput(table)));
  } finally {
    client.destroy();
  }
}
