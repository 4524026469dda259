import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { unixSeconds } from '../domain/time';
import { type Db, ifCondition } from './db';
import { seenRequestKey } from './keys';

/**
 * Remember that a request with `key` was served, for `withinSeconds`: true the first time, false for a copy
 * inside the window. A conditional PutItem, so of two copies at once exactly one is first. An entry past its
 * window (DynamoDB's TTL removes it within days) counts as unseen; the platform's signed timestamp refuses
 * such an old copy before it gets here.
 */
export async function firstSighting(
  db: Db,
  communityId: string,
  key: string,
  withinSeconds: number,
  now: Date,
): Promise<boolean> {
  const written = await ifCondition(() =>
    db.doc.send(
      new PutCommand({
        TableName: db.table,
        Item: {
          ...seenRequestKey(communityId, key),
          seenAt: now.toISOString(),
          expiresAt: unixSeconds(now) + withinSeconds,
        },
        ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
        ExpressionAttributeValues: { ':now': unixSeconds(now) },
      }),
    ),
  );
  return written !== undefined;
}
