import type { CommunityConfig } from '../../domain/config';
import { addDays } from '../../domain/time';
import { batchGet, type Db, queryBetween, updateItem } from '../../store/db';
import { outboxId, outboxKey } from '../../store/keys';
import type { OutboxItem } from '../../store/outbox';
import { UpdateBuilder } from '../../store/update';
import type { SendContext } from '../contract';

/**
 * Drip completion, stored for the digest as the drip goes: per community and
 * join day (the community's zone), the members welcomed for a join of that
 * day and those of them sent every drip step. Sets of member ids, so a send
 * recorded twice counts once.
 *
 * | item       | pk           | sk           |
 * |------------|--------------|--------------|
 * | drip tally | `C#<c>#DRIP` | `<join day>` |
 *
 * The welcome adds its member to `welcomed` once it is sent; the last step,
 * once it is sent, adds its member to `completed` if the welcome and every
 * earlier step had been sent too (one batch read of those items, by their
 * deterministic ids). A member who left, opted out or was held back from a
 * step before it went did not complete the drip. The digest of a period reads
 * the tallies of the join days whose drip ended in it: a row a day.
 */

const tallyPk = (communityId: string): string => `C#${communityId}#DRIP`;

/** The join day and step of a drip item's id (`onboarding#<c>#<m>#<join day>+<n>d`, `welcome#<c>#<m>#<join day>`). */
function joinOf(item: OutboxItem): { joinDay: string; afterDays?: number } | undefined {
  const match = /#(\d{4}-\d{2}-\d{2})(?:\+(\d+)d)?$/.exec(item.id);
  if (!match) return undefined;
  return { joinDay: match[1], ...(match[2] ? { afterDays: Number(match[2]) } : {}) };
}

async function record(db: Db, communityId: string, joinDay: string, field: 'welcomed' | 'completed', memberId: string) {
  const update = new UpdateBuilder().addToSet(field, new Set([memberId])).setIfAbsent('day', joinDay);
  await updateItem(db, { pk: tallyPk(communityId), sk: joinDay }, update);
}

/** After a welcome is sent: its member was welcomed for the join of its day. */
export async function countWelcomed({ db, item }: SendContext): Promise<void> {
  const join = joinOf(item);
  if (join) await record(db, item.communityId, join.joinDay, 'welcomed', item.memberId);
}

/** After a drip step is sent: when it is the last, whether the welcome and every earlier step went too. */
export async function countCompleted({ db, item, community }: SendContext): Promise<void> {
  const join = joinOf(item);
  const { steps } = community.onboarding;
  if (join?.afterDays === undefined || join.afterDays !== steps.at(-1)?.afterDays) return;
  const earlier = [
    outboxId('welcome', community.id, item.memberId, join.joinDay),
    ...steps
      .slice(0, -1)
      .map((step) => outboxId('onboarding', community.id, item.memberId, `${join.joinDay}+${step.afterDays}d`)),
  ];
  const items = await batchGet<Pick<OutboxItem, 'status'>>(
    db,
    earlier.map((id) => outboxKey(community.id, id)),
    { projection: '#s', names: { '#s': 'status' }, consistent: true },
  );
  if (items.length === earlier.length && items.every((i) => i.status === 'sent')) {
    await record(db, community.id, join.joinDay, 'completed', item.memberId);
  }
}

/**
 * Of the newcomers whose drip ended on one of `days` (welcomed for a join the
 * last step's `afterDays` before that day, with the community's steps as they
 * are now), how many there were and how many completed it.
 */
export async function dripCompletion(
  db: Db,
  community: CommunityConfig,
  days: readonly string[],
): Promise<{ finished: number; completed: number }> {
  const last = community.onboarding.steps.at(-1);
  const result = { finished: 0, completed: 0 };
  if (!community.onboarding.enabled || !last || days.length === 0) return result;
  const sorted = [...days].sort();
  const rows = await queryBetween<{ welcomed?: Set<string>; completed?: Set<string> }>(
    db,
    tallyPk(community.id),
    addDays(sorted[0], -last.afterDays),
    addDays(sorted[sorted.length - 1], -last.afterDays),
  );
  for (const row of rows) {
    const welcomed = row.welcomed ?? new Set<string>();
    result.finished += welcomed.size;
    for (const id of row.completed ?? []) if (welcomed.has(id)) result.completed++;
  }
  return result;
}
