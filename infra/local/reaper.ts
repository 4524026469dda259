import { BatchWriteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { unixSeconds } from '../../shared/domain/time';
import type { Db } from '../../shared/store/db';
import { TABLE } from '../../shared/store/table';

/**
 * The local stand-in for DynamoDB TTL, which dynalite lacks: deletes items
 * whose `expiresAt` has passed. It scans, as AWS's own TTL process does; this
 * is the local runtime's housekeeping, never a production path.
 */
export async function reapExpired(db: Db, now: Date): Promise<number> {
  let removed = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.doc.send(
      new ScanCommand({
        TableName: db.table,
        FilterExpression: '#ttl < :now',
        ExpressionAttributeNames: { '#ttl': TABLE.ttlAttribute },
        ExpressionAttributeValues: { ':now': unixSeconds(now) },
        ProjectionExpression: 'pk, sk',
        ExclusiveStartKey: startKey,
      }),
    );
    const keys = page.Items ?? [];
    for (let i = 0; i < keys.length; i += 25) {
      const batch = keys.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } }));
      await db.doc.send(new BatchWriteCommand({ RequestItems: { [db.table]: batch } }));
      removed += batch.length;
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return removed;
}
