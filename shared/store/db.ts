import { Agent } from 'node:http';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { type IndexDefinition, TABLE } from './table';
import type { UpdateBuilder } from './update';

/** A table and the client that reaches it; every store function takes one. */
export interface Db {
  readonly doc: DynamoDBDocumentClient;
  readonly table: string;
  /**
   * Told the due time of every outbox item that becomes pending (queued, or put back to wait), once it is
   * stored. Unset in AWS, where the dispatcher runs every minute; the demo's clock, which skips the minutes in
   * which nothing is due, runs the dispatcher at these times instead of reading the due index to find them.
   */
  onDue?: (dueAt: Date) => void;
}

/** Options for a DynamoDB client: AWS by default, or a local endpoint. */
export interface DbOptions {
  table: string;
  endpoint?: string;
  region?: string;
}

/**
 * What a local engine is shown instead of a SigV4 signature. dynalite and
 * DynamoDB Local refuse a request without SigV4's headers but never check the
 * signature; computing it (a SHA-256 of the body and four HMACs) cost about
 * 0.15-0.2 ms of a 0.9 ms call here, a sixth of every local call.
 */
const LOCAL_SIGNATURE = {
  authorization:
    'AWS4-HMAC-SHA256 Credential=local/20260101/local/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=0',
  'x-amz-date': '20260101T000000Z',
} as const;

const localSigner = {
  sign: async <R extends { headers: Record<string, string> }>(request: R): Promise<R> => {
    Object.assign(request.headers, LOCAL_SIGNATURE);
    return request;
  },
};

/**
 * Build a document client. Against a local endpoint (dynalite, DynamoDB Local)
 * it uses fixed dummy credentials, a fixed signature (LOCAL_SIGNATURE) and a
 * keep-alive agent wide enough for a benchmark's concurrency; in AWS the SDK's
 * defaults apply.
 */
export function createDb(options: DbOptions): Db {
  const local = options.endpoint !== undefined;
  const client = new DynamoDBClient({
    region: options.region ?? process.env.AWS_REGION ?? 'us-east-1',
    ...(local
      ? {
          endpoint: options.endpoint,
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
          signer: localSigner,
          requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: 128 }) }),
          maxAttempts: 5,
        }
      : {}),
  });
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return { doc, table: options.table };
}

/** Whether an SDK error is a lost conditional write. */
export function isConditionFailed(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof Error && error.name === 'ConditionalCheckFailedException')
  );
}

/** Run a conditional write; `undefined` when its condition did not hold. */
export async function ifCondition<T>(write: () => Promise<T>): Promise<T | undefined> {
  try {
    return await write();
  } catch (error) {
    if (isConditionFailed(error)) return undefined;
    throw error;
  }
}

/**
 * Every item of one index partition, optionally with its sort key at most `upTo`: the key condition is
 * spelled from the index's own definition, so callers name an index, never its attributes.
 */
export function queryIndex<T>(
  db: Db,
  index: IndexDefinition,
  partition: string,
  options: {
    /** Sort key at least this. */
    from?: string;
    /** Sort key at most this. */
    upTo?: string;
    /** Highest sort key first. */
    descending?: boolean;
    /** At most this many items (one page). */
    limit?: number;
  } = {},
): Promise<T[]> {
  const { from, upTo } = options;
  // An empty range (DynamoDB refuses BETWEEN with its bounds reversed).
  if (from !== undefined && upTo !== undefined && from > upTo) return Promise.resolve([]);
  const range =
    from !== undefined && upTo !== undefined
      ? ' AND #sk BETWEEN :from AND :upTo'
      : from !== undefined
        ? ' AND #sk >= :from'
        : upTo !== undefined
          ? ' AND #sk <= :upTo'
          : '';
  const input = {
    IndexName: index.name,
    KeyConditionExpression: `#pk = :pk${range}`,
    ExpressionAttributeNames: { '#pk': index.partitionKey, ...(range ? { '#sk': index.sortKey } : {}) },
    ExpressionAttributeValues: {
      ':pk': partition,
      ...(from !== undefined ? { ':from': from } : {}),
      ...(upTo !== undefined ? { ':upTo': upTo } : {}),
    },
    ...(options.descending ? { ScanIndexForward: false } : {}),
  };
  if (options.limit === undefined) return queryAll<T>(db, input);
  return db.doc
    .send(new QueryCommand({ TableName: db.table, ...input, Limit: options.limit }))
    .then((page) => (page.Items ?? []) as T[]);
}

/**
 * How many items of one index partition have a sort key above `above`, counting at most `max` (a count
 * reads what it counts, so its cost is bounded by `max`).
 */
export async function countAbove(
  db: Db,
  index: IndexDefinition,
  partition: string,
  above: string,
  max: number,
): Promise<number> {
  let count = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.doc.send(
      new QueryCommand({
        TableName: db.table,
        IndexName: index.name,
        KeyConditionExpression: '#pk = :pk AND #sk > :above',
        ExpressionAttributeNames: { '#pk': index.partitionKey, '#sk': index.sortKey },
        ExpressionAttributeValues: { ':pk': partition, ':above': above },
        Select: 'COUNT',
        Limit: max - count,
        ExclusiveStartKey: startKey,
      }),
    );
    count += page.Count ?? 0;
    startKey = page.LastEvaluatedKey;
  } while (startKey && count < max);
  return count;
}

/** Every item a Query finds, page after page (cost grows with what it finds). */
export async function queryAll<T>(
  db: Db,
  input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>,
): Promise<T[]> {
  const items: T[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.doc.send(new QueryCommand({ TableName: db.table, ...input, ExclusiveStartKey: startKey }));
    items.push(...((page.Items ?? []) as T[]));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** A table key: the values of its partition and sort key. */
export interface ItemKey {
  pk: string;
  sk: string;
}

/**
 * One item of type `T`, or undefined when there is none. With `getItem` and
 * `updateItem`, this is where a stored item gets its type: the store's
 * modules (a workflow's included) read and write through them, so no table
 * name or key attribute is spelled outside `shared/store/`, and no caller
 * casts what the table returns.
 */
export async function getItem<T>(db: Db, key: ItemKey, options: { consistent?: boolean } = {}): Promise<T | undefined> {
  const result = await db.doc.send(
    new GetCommand({ TableName: db.table, Key: key, ConsistentRead: options.consistent }),
  );
  return result.Item as T | undefined;
}

/**
 * Update one item of type `T` with `update` under `condition`. Returns the
 * attributes `returnValues` asks for (`{}` for none; all of them for
 * `ALL_NEW`), or undefined when the condition did not hold.
 */
export async function updateItem<T = Record<string, unknown>>(
  db: Db,
  key: ItemKey,
  update: UpdateBuilder,
  options: { condition?: string; returnValues: 'ALL_NEW' },
): Promise<T | undefined>;
export async function updateItem<T = Record<string, unknown>>(
  db: Db,
  key: ItemKey,
  update: UpdateBuilder,
  options?: { condition?: string; returnValues?: 'UPDATED_OLD' | 'UPDATED_NEW' | 'ALL_NEW' },
): Promise<Partial<T> | undefined>;
export async function updateItem<T>(
  db: Db,
  key: ItemKey,
  update: UpdateBuilder,
  options: { condition?: string; returnValues?: 'UPDATED_OLD' | 'UPDATED_NEW' | 'ALL_NEW' } = {},
): Promise<Partial<T> | undefined> {
  const result = await ifCondition(() =>
    db.doc.send(
      new UpdateCommand({
        TableName: db.table,
        Key: key,
        ...update.build(options.condition),
        ...(options.returnValues ? { ReturnValues: options.returnValues } : {}),
      }),
    ),
  );
  return result === undefined ? undefined : ((result.Attributes ?? {}) as Partial<T>);
}

/** Delete one item (nothing when there is none). */
export async function deleteItem(db: Db, key: ItemKey): Promise<void> {
  await db.doc.send(new DeleteCommand({ TableName: db.table, Key: key }));
}

/** Every item of one partition (a small one: a workflow's tallies), in sort-key order. */
export function queryPartition<T>(db: Db, partition: string): Promise<T[]> {
  return queryAll<T>(db, {
    KeyConditionExpression: '#pk = :pk',
    ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
    ExpressionAttributeValues: { ':pk': partition },
  });
}

/**
 * The items of one partition whose sort key begins with `prefix`, in order; optionally strongly consistent,
 * or only the attributes `only` names.
 */
export function queryPrefix<T>(
  db: Db,
  partition: string,
  prefix: string,
  options: { consistent?: boolean; only?: readonly string[] } = {},
): Promise<T[]> {
  const projected = Object.fromEntries((options.only ?? []).map((attribute, i) => [`#a${i}`, attribute]));
  return queryAll<T>(db, {
    KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
    ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey, ...projected },
    ExpressionAttributeValues: { ':pk': partition, ':prefix': prefix },
    ...(options.only ? { ProjectionExpression: Object.keys(projected).join(', ') } : {}),
    ...(options.consistent ? { ConsistentRead: true } : {}),
  });
}

/** The items of one partition whose sort key is between `from` and `to` (inclusive), in order. */
export function queryBetween<T>(db: Db, partition: string, from: string, to: string): Promise<T[]> {
  return queryAll<T>(db, {
    KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
    ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey },
    ExpressionAttributeValues: { ':pk': partition, ':from': from, ':to': to },
  });
}

/**
 * Items by key, in batches of 100 (BatchGet's limit), asking again for what a
 * batch leaves unprocessed; optionally only some attributes, or strongly
 * consistent.
 */
export async function batchGet<T>(
  db: Db,
  keys: Array<{ pk: string; sk: string }>,
  options: { projection?: string; names?: Record<string, string>; consistent?: boolean } = {},
): Promise<T[]> {
  const items: T[] = [];
  const read = {
    ...(options.projection ? { ProjectionExpression: options.projection } : {}),
    ...(options.names ? { ExpressionAttributeNames: options.names } : {}),
    ...(options.consistent ? { ConsistentRead: true } : {}),
  };
  for (let i = 0; i < keys.length; i += 100) {
    let request: Record<string, { Keys: Array<Record<string, unknown>> }> | undefined = {
      [db.table]: { Keys: keys.slice(i, i + 100), ...read },
    };
    while (request && Object.keys(request).length) {
      const result = await db.doc.send(new BatchGetCommand({ RequestItems: request }));
      items.push(...((result.Responses?.[db.table] ?? []) as T[]));
      request = result.UnprocessedKeys as typeof request;
    }
  }
  return items;
}
