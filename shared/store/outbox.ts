import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TemplateName } from '../domain/templates';
import { unixSeconds } from '../domain/time';
import { type Db, getItem, ifCondition, queryAll, queryIndex, queryPrefix, updateItem } from './db';
import { DUE_SHARDS, dueBucket, dueIndexKeys, dueShardPk, outboxKey, outboxPk } from './keys';
import { INDEXES } from './table';
import { UpdateBuilder } from './update';

/** An outbox kind: one a workflow registers, with its delivery rules (docs/contract.md). */
export type OutboxKind = string;
export type OutboxStatus = 'pending' | 'sent' | 'failed' | 'skipped';

/** One automated message: decided once, delivered by the dispatcher. */
export interface OutboxItem {
  id: string;
  communityId: string;
  kind: OutboxKind;
  memberId: string;
  /** `channel` or `dm`; the channel id when known. */
  delivery: 'channel' | 'dm';
  channel?: string;
  /** Template variables captured at decision time (never message text). */
  vars: Record<string, string>;
  /** The template, for kinds with more than one (a command's reply, a drip step); else the kind's own. */
  template?: TemplateName | string;
  /** Not sent after this instant (a birthday greeting is for the birthday); skipped instead. */
  notAfter?: string;
  /** Sent only while the member has been silent since this day (YYYY-MM-DD): a word to a quiet member. */
  quietSince?: string;
  /** What the frequency cap counts it as; items sharing one (a greeting in the channel and by DM) count once. */
  capKey?: string;
  /** Never posted in a channel, even when a DM cannot be delivered (an answer asked for in private). */
  private?: boolean;
  /** Discord: the interaction token a command's reply is sent with; removed once settled. */
  replyToken?: string;
  status: OutboxStatus;
  dueAt: string;
  createdAt: string;
  sentAt?: string;
  attempts: number;
  reason?: string;
  leaseUntil?: string;
}

/** What a workflow decides; the store adds status and bookkeeping. */
export type OutboxDecision = Omit<OutboxItem, 'status' | 'attempts' | 'createdAt' | 'sentAt' | 'reason' | 'leaseUntil'>;

/**
 * Record a decision once: a conditional put on the deterministic id. Returns
 * false when the same decision was already taken.
 */
export async function enqueue(db: Db, decision: OutboxDecision, now: Date): Promise<boolean> {
  // Due buckets compare ISO strings: normalise to UTC so `+08:00` times sort with the rest.
  const dueAt = new Date(decision.dueAt).toISOString();
  const item: OutboxItem = { ...decision, dueAt, status: 'pending', attempts: 0, createdAt: now.toISOString() };
  const put = await ifCondition(() =>
    db.doc.send(
      new PutCommand({
        TableName: db.table,
        Item: {
          ...outboxKey(item.communityId, item.id),
          ...dueIndexKeys(item.id, item.dueAt, item.createdAt),
          ...item,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
  if (put !== undefined) db.onDue?.(new Date(dueAt));
  return put !== undefined;
}

/** A community's outbox, optionally of one status. */
export async function listOutbox(db: Db, communityId: string, status?: OutboxStatus): Promise<OutboxItem[]> {
  return queryAll<OutboxItem>(db, {
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': outboxPk(communityId), ...(status ? { ':status': status } : {}) },
    ...(status ? { FilterExpression: '#status = :status', ExpressionAttributeNames: { '#status': 'status' } } : {}),
  });
}

/** Outbox items of a community whose id starts with `prefix` (a member's items of one kind). */
export async function outboxWithPrefix(db: Db, communityId: string, prefix: string): Promise<OutboxItem[]> {
  return queryPrefix<OutboxItem>(db, outboxPk(communityId), prefix);
}

/** One outbox item. */
export async function getOutboxItem(db: Db, communityId: string, id: string): Promise<OutboxItem | undefined> {
  return getItem<OutboxItem>(db, outboxKey(communityId, id));
}

/** Pending items in one due bucket that are due by `now`. */
export async function dueInBucket(db: Db, bucket: string, now: Date): Promise<OutboxItem[]> {
  // `~` sorts after every id character, so items due exactly at `now` are included.
  const shards = await Promise.all(
    Array.from({ length: DUE_SHARDS }, (_, shard) =>
      queryIndex<OutboxItem>(db, INDEXES.byDueBucket, dueShardPk(bucket, shard), { upTo: `${now.toISOString()}#~` }),
    ),
  );
  // The shards' items in one order, due time first, as one partition would give them.
  const order = (item: OutboxItem) => `${item.dueAt}#${item.id}`;
  return shards.flat().sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
}

/**
 * Claim an item for sending: a lease, so two dispatchers never send the same
 * item. Returns the claimed item, or undefined when someone else holds it.
 */
export async function claim(db: Db, item: OutboxItem, now: Date, leaseMs: number): Promise<OutboxItem | undefined> {
  const update = new UpdateBuilder()
    .set('leaseUntil', new Date(now.getTime() + leaseMs).toISOString())
    .add('attempts', 1);
  const status = update.name('status');
  const lease = update.name('leaseUntil');
  const condition = `${status} = ${update.value('pending')} AND (attribute_not_exists(${lease}) OR ${lease} < ${update.value(now.toISOString())})`;
  return updateItem<OutboxItem>(db, outboxKey(item.communityId, item.id), update, {
    condition,
    returnValues: 'ALL_NEW',
  });
}

/** Why an item was skipped when its member left before it went. */
export const CANCELLED_BY_LEAVE = 'member left';

/** How long a settled item stays visible to `hearth outbox` before it expires (TTL). */
export const SETTLED_RETENTION_DAYS = 90;

/**
 * Who may change an item, so that no one overwrites a change they did not see:
 * - `{ lease }`: the dispatcher that claimed it, while its lease is the one stored;
 * - `{ unleasedAt }`: a workflow (cancelling), only while it is pending and no live lease is on it;
 * - `'unsent'`: an operator, as long as it was not sent.
 */
export type OutboxGuard = { lease: string } | { unleasedAt: Date } | 'unsent';

function guardCondition(update: UpdateBuilder, guard: OutboxGuard): string {
  const status = update.name('status');
  const lease = update.name('leaseUntil');
  if (guard === 'unsent') return `${status} <> ${update.value('sent')}`;
  if ('lease' in guard) return `${lease} = ${update.value(guard.lease)}`;
  return `${status} = ${update.value('pending')} AND (attribute_not_exists(${lease}) OR ${lease} < ${update.value(guard.unleasedAt.toISOString())})`;
}

/**
 * Settle an item as sent, skipped or failed; it leaves the due index and
 * expires in 90 days. False when the guard did not hold (someone else has it).
 */
export async function settle(
  db: Db,
  item: OutboxItem,
  status: Exclude<OutboxStatus, 'pending'>,
  now: Date,
  guard: OutboxGuard,
  reason?: string,
): Promise<boolean> {
  const update = new UpdateBuilder()
    .set('status', status)
    .set('reason', reason)
    .set(status === 'sent' ? 'sentAt' : 'settledAt', now.toISOString())
    .set('expiresAt', unixSeconds(now) + SETTLED_RETENTION_DAYS * 86_400);
  const condition = guardCondition(update, guard);
  update.remove('duePk', 'dueSk', 'leaseUntil', 'replyToken');
  const result = await ifCondition(() =>
    db.doc.send(
      new UpdateCommand({ TableName: db.table, Key: outboxKey(item.communityId, item.id), ...update.build(condition) }),
    ),
  );
  return result !== undefined;
}

/**
 * Put an item back as pending, due at `dueAt` (a retry, or an operator's
 * `outbox retry`), with its attempt count set to `attempts` when given. False
 * when the guard did not hold.
 */
export async function reschedule(
  db: Db,
  item: OutboxItem,
  dueAt: Date,
  guard: OutboxGuard,
  reason?: string,
  attempts?: number,
): Promise<boolean> {
  const at = dueAt.toISOString();
  const update = new UpdateBuilder().set('status', 'pending').set('dueAt', at).set('reason', reason);
  for (const [k, v] of Object.entries(dueIndexKeys(item.id, at))) update.set(k, v);
  update.set('attempts', attempts);
  const condition = guardCondition(update, guard);
  // Pending again: it must not expire while it waits.
  update.remove('leaseUntil', 'expiresAt');
  const result = await ifCondition(() =>
    db.doc.send(
      new UpdateCommand({ TableName: db.table, Key: outboxKey(item.communityId, item.id), ...update.build(condition) }),
    ),
  );
  if (result !== undefined) db.onDue?.(dueAt);
  return result !== undefined;
}

/** The due bucket of an instant. */
export const bucketOf = (at: Date): string => dueBucket(at.toISOString());
