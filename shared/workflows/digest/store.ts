import { type Db, getItem, updateItem } from '../../store/db';
import { UpdateBuilder } from '../../store/update';
import type { Period } from './periods';

/**
 * The numbers of each finished period, kept when the period is first
 * computed, so that a digest's changes, targets' pace and 8-period trends
 * read a row per period instead of every day again:
 *
 * | item                    | pk               | sk             |
 * |-------------------------|------------------|----------------|
 * | a finished period's numbers | `C#<c>#DIGEST` | `<kind>#<key>` (`week#2026-W53`) |
 *
 * A period is kept only once it has ended (in the community's zone). An
 * event that arrives later for a kept period leaves the row as it was; the
 * period's own digest preview computes it afresh.
 */

/** The numbers kept per period: every number of the digest that is a count or a rate. */
export type KeptNumbers = Record<string, number | null>;

const keptKey = (communityId: string, period: Period) => ({
  pk: `C#${communityId}#DIGEST`,
  sk: `${period.kind}#${period.key}`,
});

export async function keptNumbers(db: Db, communityId: string, period: Period): Promise<KeptNumbers | undefined> {
  const item = await getItem<{ numbers?: KeptNumbers }>(db, keptKey(communityId, period));
  return item?.numbers;
}

export async function keepNumbers(db: Db, communityId: string, period: Period, numbers: KeptNumbers): Promise<void> {
  const update = new UpdateBuilder().setIfAbsent('numbers', numbers).setIfAbsent('period', period.key);
  await updateItem(db, keptKey(communityId, period), update);
}
