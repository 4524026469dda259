import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CommunityConfig } from '../domain/config';
import { dayIn } from '../domain/time';
import type { DomainEvent } from '../events/domain-events';
import { type Db, ifCondition, queryAll } from './db';
import { memberKey, outboxKey, winbackTallyKey } from './keys';
import type { OutboxItem } from './outbox';

/**
 * Win-back success, stored for the digest: a tally per community and send day
 * (community time zone) of the win-backs sent and of those whose member was
 * active again within 7 days. The member item holds the win-back waiting for
 * an answer (`winbackOpen`), which their next first activity of a day takes
 * off (see `ingest.ts`); the outbox item records when it was answered.
 */

/**
 * Mark the member as waiting for an answer to win-back `item`, sent at
 * `sentAt`; written just before the send, so an answer that arrives the
 * moment the message does is not missed. If the send then fails, the item is
 * not `sent` and an answer counts for nothing (`recordWonBack`).
 */
export async function openWinback(db: Db, item: OutboxItem, sentAt: Date): Promise<void> {
  await ifCondition(() =>
    db.doc.send(
      new UpdateCommand({
        TableName: db.table,
        Key: memberKey(item.communityId, item.memberId),
        UpdateExpression: 'SET #open = :open',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#open': 'winbackOpen' },
        ExpressionAttributeValues: { ':open': { id: item.id, sentAt: sentAt.toISOString() } },
      }),
    ),
  );
}

/** Count a win-back sent at `sentAt` on its send day. */
export async function countWinbackSent(db: Db, community: CommunityConfig, sentAt: Date): Promise<void> {
  await addToTally(db, community, dayIn(sentAt, community.timezone), 'sent');
}

/**
 * A member answered a win-back (`member.reactivated` with its id): mark the
 * item won back once, and count it on its send day. False when it was
 * counted already (the bus delivers at least once).
 */
export async function recordWonBack(db: Db, community: CommunityConfig, event: DomainEvent): Promise<boolean> {
  if (!event.winbackId || !event.winbackSentAt) return false;
  const marked = await ifCondition(() =>
    db.doc.send(
      new UpdateCommand({
        TableName: db.table,
        Key: outboxKey(community.id, event.winbackId as string),
        UpdateExpression: 'SET #won = :at',
        ConditionExpression: 'attribute_not_exists(#won) AND #status = :sent',
        ExpressionAttributeNames: { '#won': 'wonBackAt', '#status': 'status' },
        ExpressionAttributeValues: { ':at': event.occurredAt, ':sent': 'sent' },
      }),
    ),
  );
  if (!marked) return false;
  await addToTally(db, community, dayIn(new Date(event.winbackSentAt), community.timezone), 'wonBack');
  return true;
}

async function addToTally(db: Db, community: CommunityConfig, day: string, field: 'sent' | 'wonBack') {
  await db.doc.send(
    new UpdateCommand({
      TableName: db.table,
      Key: winbackTallyKey(community.id, day),
      UpdateExpression: 'ADD #field :one SET #day = if_not_exists(#day, :day)',
      ExpressionAttributeNames: { '#field': field, '#day': 'day' },
      ExpressionAttributeValues: { ':one': 1, ':day': day },
    }),
  );
}

/** Win-backs sent and won back, per send day from `fromDay` to `toDay` (inclusive). */
export interface WinbackTally {
  day: string;
  sent: number;
  wonBack: number;
}

export async function winbackTallies(
  db: Db,
  communityId: string,
  fromDay: string,
  toDay: string,
): Promise<WinbackTally[]> {
  const rows = await queryAll<{ sk: string; sent?: number; wonBack?: number }>(db, {
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    ExpressionAttributeValues: { ':pk': winbackTallyKey(communityId, '').pk, ':from': fromDay, ':to': toDay },
  });
  return rows.map((row) => ({ day: row.sk, sent: row.sent ?? 0, wonBack: row.wonBack ?? 0 }));
}
