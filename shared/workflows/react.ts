import type { CommunityConfig } from '../domain/config';
import type { DomainEvent } from '../events/domain-events';
import type { Db } from '../store/db';
import { CANCELLED_BY_LEAVE, outboxWithPrefix, settle } from '../store/outbox';
import { CANCELLED_ON_LEAVE, reactionsTo } from './registry';

/**
 * What happens when a domain event about a member arrives (the lifecycle
 * function): every workflow that reacts to its type does, in registry order,
 * and a member leaving cancels what is still pending for them of the kinds
 * whose rules say so. Returns each reaction's outcome by workflow name, and
 * under `outbox` what leaving cancelled.
 */
export async function reactTo(
  db: Db,
  community: CommunityConfig,
  event: DomainEvent,
  now: Date,
): Promise<Record<string, string>> {
  const outcomes: Record<string, string> = {};
  if (event.type === 'member.left') {
    outcomes.outbox = (await cancelPending(db, community, event.memberId, now)) ? 'cancelled' : 'ignored';
  }
  for (const [workflow, reaction] of reactionsTo(event.type)) {
    outcomes[workflow] = await reaction(db, community, event, now);
  }
  return outcomes;
}

/** Skip the member's pending items of the kinds cancelled on leave; how many were cancelled. */
async function cancelPending(db: Db, community: CommunityConfig, memberId: string, now: Date): Promise<number> {
  let cancelled = 0;
  for (const kind of CANCELLED_ON_LEAVE) {
    const items = await outboxWithPrefix(db, community.id, `${kind}#${community.id}#${memberId}#`);
    for (const item of items.filter((i) => i.status === 'pending')) {
      // An item being sent right now (under a live lease) is left to its sender, which checks the member.
      if (await settle(db, item, 'skipped', now, { unleasedAt: now }, CANCELLED_BY_LEAVE)) cancelled++;
    }
  }
  return cancelled;
}
