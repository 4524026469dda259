import type { CommunityConfig } from '../../domain/config';
import { addDays } from '../../domain/time';
import type { Db } from '../../store/db';
import { outboxId, outboxKey } from '../../store/keys';
import { batchGet, membersJoinedOn } from '../../store/members';
import type { OutboxItem } from '../../store/outbox';

/**
 * Drip completion, for the digest: of the newcomers whose drip ended on one
 * of `days` (welcomed for a join the last step's `afterDays` before that day),
 * how many were sent the welcome and every step. A member who left, opted out
 * or was held back from a step before it went did not complete it. The steps
 * are the community's as configured now.
 *
 * Cost grows with the newcomers, not the community: per day, one query of the
 * byJoinDay index (the members whose latest join fell on that day), then one
 * batch read of their welcome and step items by their deterministic ids.
 */
export async function dripCompletion(
  db: Db,
  community: CommunityConfig,
  days: readonly string[],
): Promise<{ finished: number; completed: number }> {
  const { steps } = community.onboarding;
  const last = steps.at(-1);
  const result = { finished: 0, completed: 0 };
  if (!community.onboarding.enabled || !last) return result;
  const perDay = await Promise.all(
    days.map(async (day) => {
      const joinDay = addDays(day, -last.afterDays);
      const ids = await membersJoinedOn(db, community.id, joinDay);
      if (ids.length === 0) return [];
      const idsOf = (memberId: string) => [
        outboxId('welcome', community.id, memberId, joinDay),
        ...steps.map((step) => outboxId('onboarding', community.id, memberId, `${joinDay}+${step.afterDays}d`)),
      ];
      const keys = ids.flatMap(idsOf).map((id) => outboxKey(community.id, id));
      const items = await batchGet<Pick<OutboxItem, 'id' | 'status'>>(db, keys, {
        projection: '#i, #s',
        names: { '#i': 'id', '#s': 'status' },
      });
      const sent = new Set(items.filter((i) => i.status === 'sent').map((i) => i.id));
      return ids.map((memberId) => {
        const [welcome, ...stepIds] = idsOf(memberId);
        return { welcomed: sent.has(welcome), completed: stepIds.every((id) => sent.has(id)) };
      });
    }),
  );
  for (const member of perDay.flat()) {
    if (!member.welcomed) continue;
    result.finished++;
    if (member.completed) result.completed++;
  }
  return result;
}
