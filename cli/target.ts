import { resolve } from 'node:path';
import { ensureTable, LOCAL_TABLE, startDynalite } from '../infra/local/dynamo';
import { runningStack } from '../infra/local/stack-file';
import { createDb, type Db } from '../shared/store/db';

/**
 * Where the CLI's data is: AWS when HEARTH_TABLE is set; else the running
 * local stack's engine, reached over its endpoint (only that process may open
 * the data folder); else the data folder opened here, when no stack runs.
 */
export interface Target {
  db: Db;
  mode: 'aws' | 'local-stack' | 'local-folder';
  dataDir: string;
  webhookBaseUrl?: string;
  close(): Promise<void>;
}

export async function openTarget(env: NodeJS.ProcessEnv = process.env): Promise<Target> {
  const dataDir = resolve(env.HEARTH_DATA_DIR ?? '.hearth');
  if (env.HEARTH_TABLE) {
    const db = createDb({ table: env.HEARTH_TABLE, endpoint: env.DYNAMODB_ENDPOINT });
    return { db, mode: 'aws', dataDir, close: async () => db.doc.destroy() };
  }
  const stack = await runningStack(dataDir);
  if (stack) {
    const db = createDb({ table: stack.table, endpoint: stack.endpoint });
    return {
      db,
      mode: 'local-stack',
      dataDir,
      webhookBaseUrl: stack.webhookBaseUrl,
      close: async () => db.doc.destroy(),
    };
  }
  const dynamo = await startDynalite({ path: `${dataDir}/db` });
  await ensureTable(dynamo.endpoint, LOCAL_TABLE);
  const db = createDb({ table: LOCAL_TABLE, endpoint: dynamo.endpoint });
  return {
    db,
    mode: 'local-folder',
    dataDir,
    async close() {
      db.doc.destroy();
      await dynamo.close();
    },
  };
}
