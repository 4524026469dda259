import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type CapLedger, type Caps, capWait, pruneLedger } from '../domain/guardrails';
import { type Db, ifCondition } from './db';
import { memberKey, shortKey } from './keys';

/**
 * The frequency cap's ledger, kept on the member item: `capLedger` maps a
 * short key of each capped message to when it went, and `capVersion` orders
 * the writes. A slot is reserved before the send with a write conditional on
 * the version read, so two dispatchers sending two different messages to one
 * member cannot both take the last slot.
 */

/** The ledger key of a cap key (outbox ids hold `#`, which expression attribute names cannot). */
const ledgerKey = shortKey;

/** What the dispatcher read about the member's cap. */
export interface CapState {
  capLedger?: CapLedger;
  capVersion?: number;
}

/** Tries before a member contended by other dispatchers is left for the next run. */
const RESERVE_TRIES = 3;

/**
 * Reserve a slot for the message with `capKey`: `reserved` when this call
 * wrote it (and so may give it back), `counted` when the key was already in
 * the ledger (the other copy of a greeting sent both ways), else the time a
 * slot frees up. `state` is the member as read; a lost race re-reads it.
 */
export async function reserveCapSlot(
  db: Db,
  communityId: string,
  memberId: string,
  capKey: string,
  caps: Caps,
  now: Date,
  state: CapState,
): Promise<Date | 'reserved' | 'counted'> {
  const key = ledgerKey(capKey);
  let current = state;
  for (let attempt = 0; attempt < RESERVE_TRIES; attempt++) {
    const ledger = pruneLedger(current.capLedger ?? {}, now);
    if (ledger[key] !== undefined) return 'counted';
    const wait = capWait(ledger, key, now, caps);
    if (wait) return wait;
    const version = current.capVersion;
    const written = await ifCondition(() =>
      db.doc.send(
        new UpdateCommand({
          TableName: db.table,
          Key: memberKey(communityId, memberId),
          UpdateExpression: 'SET #ledger = :ledger, #version = :next',
          ConditionExpression: version === undefined ? 'attribute_not_exists(#version)' : '#version = :version',
          ExpressionAttributeNames: { '#ledger': 'capLedger', '#version': 'capVersion' },
          ExpressionAttributeValues: {
            ':ledger': { ...ledger, [key]: now.toISOString() },
            ':next': (version ?? 0) + 1,
            ...(version === undefined ? {} : { ':version': version }),
          },
        }),
      ),
    );
    if (written) return 'reserved';
    const reread = await db.doc.send(
      new GetCommand({
        TableName: db.table,
        Key: memberKey(communityId, memberId),
        ConsistentRead: true,
        ProjectionExpression: 'capLedger, capVersion',
      }),
    );
    current = (reread.Item ?? {}) as CapState;
  }
  // Contended past reason: try again in a minute rather than risk the cap.
  return new Date(now.getTime() + 60_000);
}

/** Give back a slot whose message was not sent (it failed, or it is retried later). */
export async function releaseCapSlot(db: Db, communityId: string, memberId: string, capKey: string): Promise<void> {
  await ifCondition(() =>
    db.doc.send(
      new UpdateCommand({
        TableName: db.table,
        Key: memberKey(communityId, memberId),
        UpdateExpression: 'REMOVE #ledger.#key SET #version = #version + :one',
        ConditionExpression: 'attribute_exists(#ledger.#key)',
        ExpressionAttributeNames: { '#ledger': 'capLedger', '#key': ledgerKey(capKey), '#version': 'capVersion' },
        ExpressionAttributeValues: { ':one': 1 },
      }),
    ),
  );
}
