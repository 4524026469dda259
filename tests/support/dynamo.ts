import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { ensureTable } from '../../infra/local/dynamo';
import { createDb, type Db } from '../../shared/store/db';

/** A fresh table on the run's DynamoDB engine, built from the shared table definition. */
export async function freshTable(prefix = 'test'): Promise<Db> {
  const endpoint = inject('dynamoEndpoint');
  const table = `${prefix}-${randomUUID().slice(0, 8)}`;
  await ensureTable(endpoint, table);
  return createDb({ table, endpoint, region: 'us-east-1' });
}

/** The commands that write to a table. */
const WRITES = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
  'TransactWriteItemsCommand',
]);

/** Call `onWrite` before each write `db` sends (a conditional write that fails counts too). */
export function countWrites(db: Db, onWrite: () => void): void {
  db.doc.middlewareStack.add(
    (next, context) => async (args) => {
      if (WRITES.has(context.commandName as string)) onWrite();
      return next(args);
    },
    { step: 'initialize', name: 'countWrites' },
  );
}
