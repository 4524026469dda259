import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { type Db, ifCondition } from './db';
import { sweepMarkKey } from './keys';

/**
 * Where a scheduled run got to (a due bucket, an instant, or a day), so the
 * next run starts there: a missed run is caught up, and a run repeated in the
 * same period reads nothing twice. The dispatcher's watermark and the sweeps'
 * marks are all kept here. Deterministic outbox ids make a repeat harmless
 * anyway; the mark saves its reads.
 */

/** The mark of `job` (and `communityId`, for sweeps that run per community), if any. */
export async function getSweepMark(db: Db, job: string, communityId?: string): Promise<string | undefined> {
  const result = await db.doc.send(new GetCommand({ TableName: db.table, Key: sweepMarkKey(job, communityId) }));
  return result.Item?.through as string | undefined;
}

/** Move the mark forward to `through` (never back). */
export async function setSweepMark(db: Db, job: string, through: string, communityId?: string): Promise<void> {
  await ifCondition(() =>
    db.doc.send(
      new PutCommand({
        TableName: db.table,
        Item: { ...sweepMarkKey(job, communityId), through },
        ConditionExpression: 'attribute_not_exists(#through) OR #through < :through',
        ExpressionAttributeNames: { '#through': 'through' },
        ExpressionAttributeValues: { ':through': through },
      }),
    ),
  );
}
