import { type Db, getItem, queryBetween, updateItem } from './db';
import { UpdateBuilder } from './update';

/**
 * What the dispatcher did, per community and local day, for the digest's
 * automation numbers: the items sent by kind, the items a guardrail held
 * back (waited, or skipped) by reason, and the sends parked as failed; and,
 * apart, how many failed items wait for an operator now.
 *
 * | item                  | pk                  | sk        |
 * |-----------------------|---------------------|-----------|
 * | a day's deliveries    | `C#<c>#DELIVERIES`  | `<day>`   |
 * | failed, waiting now   | `C#<c>#DELIVERIES`  | `waiting` |
 *
 * Counted once per outcome the dispatcher records (each settle or
 * reschedule that its lease let through), so a repeated run counts nothing
 * twice; the tally is a separate write after it, which a crash between the
 * two can miss (the item's own record is the truth).
 */

const deliveriesPk = (communityId: string): string => `C#${communityId}#DELIVERIES`;
const WAITING = 'waiting';

/** One outcome: `sent` of a kind, `held` by a guardrail (a reason), or `failed`. */
export type Delivery = { sent: string } | { held: string } | { failed: true };

/** Count one outcome on the community's local `day`. */
export async function countDelivery(db: Db, communityId: string, day: string, outcome: Delivery): Promise<void> {
  const field = 'sent' in outcome ? `sent:${outcome.sent}` : 'held' in outcome ? `held:${outcome.held}` : 'failed';
  await updateItem(
    db,
    { pk: deliveriesPk(communityId), sk: day },
    new UpdateBuilder().add(field, 1).setIfAbsent('day', day),
  );
  if ('failed' in outcome) await countWaiting(db, communityId, 1);
}

/** A failed item put back by an operator no longer waits. */
export async function countWaiting(db: Db, communityId: string, change: 1 | -1): Promise<void> {
  await updateItem(db, { pk: deliveriesPk(communityId), sk: WAITING }, new UpdateBuilder().add('failed', change));
}

/** The outcomes of the days from `first` to `last`, summed: `sent` and `held` by kind and reason. */
export interface Deliveries {
  sent: Record<string, number>;
  held: Record<string, number>;
  failed: number;
}

export async function deliveriesBetween(db: Db, communityId: string, first: string, last: string): Promise<Deliveries> {
  const rows = await queryBetween<Record<string, unknown>>(db, deliveriesPk(communityId), first, last);
  const out: Deliveries = { sent: {}, held: {}, failed: 0 };
  for (const row of rows) {
    for (const [field, value] of Object.entries(row)) {
      if (typeof value !== 'number') continue;
      if (field.startsWith('sent:')) out.sent[field.slice(5)] = (out.sent[field.slice(5)] ?? 0) + value;
      else if (field.startsWith('held:')) out.held[field.slice(5)] = (out.held[field.slice(5)] ?? 0) + value;
      else if (field === 'failed') out.failed += value;
    }
  }
  return out;
}

/** Failed items waiting for an operator now (`hearth outbox --status failed` lists them). */
export async function failedWaiting(db: Db, communityId: string): Promise<number> {
  const item = await getItem<{ failed?: number }>(db, { pk: deliveriesPk(communityId), sk: WAITING });
  return Math.max(0, item?.failed ?? 0);
}
