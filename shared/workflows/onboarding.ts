import type { CommunityConfig } from '../domain/config';
import { dayIn } from '../domain/time';
import type { DomainEvent } from '../events/domain-events';
import type { Db } from '../store/db';
import { outboxId } from '../store/keys';
import { enqueue, outboxWithPrefix, settle } from '../store/outbox';

/**
 * Onboarding on member lifecycle events: a member who joins gets a welcome
 * (one per join day, by its deterministic id); a member who leaves has what is
 * still pending cancelled. Joins replayed from old history are not welcomed.
 */

/** A join older than this when it reaches onboarding is history, not a newcomer. */
export const WELCOME_WINDOW_MS = 24 * 60 * 60 * 1000;

/** What onboarding did with one event, for logs and tests. */
export type OnboardingOutcome = 'queued' | 'already-queued' | 'disabled' | 'stale' | 'cancelled' | 'ignored';

/** Handle one domain event at time `now`. */
export async function onLifecycleEvent(
  db: Db,
  community: CommunityConfig,
  event: DomainEvent,
  now: Date,
): Promise<OnboardingOutcome> {
  if (event.type === 'member.joined') {
    if (!community.onboarding.enabled) return 'disabled';
    if (now.getTime() - new Date(event.occurredAt).getTime() > WELCOME_WINDOW_MS) return 'stale';
    const joinDay = dayIn(new Date(event.occurredAt), community.timezone);
    const queued = await enqueue(
      db,
      {
        id: outboxId('welcome', community.id, event.memberId, joinDay),
        communityId: community.id,
        kind: 'welcome',
        memberId: event.memberId,
        delivery: community.onboarding.delivery,
        channel: community.onboarding.channel,
        vars: {},
        dueAt: now.toISOString(),
      },
      now,
    );
    return queued ? 'queued' : 'already-queued';
  }
  if (event.type === 'member.left') {
    const pending = (await outboxWithPrefix(db, community.id, `welcome#${community.id}#${event.memberId}#`)).filter(
      (item) => item.status === 'pending',
    );
    let cancelled = 0;
    // An item being sent right now (under a live lease) is left to its sender.
    for (const item of pending)
      if (await settle(db, item, 'skipped', now, { unleasedAt: now }, 'member left')) cancelled++;
    return cancelled ? 'cancelled' : 'ignored';
  }
  return 'ignored';
}
