import type { CommunityConfig } from '../../domain/config';
import { addDays, dayIn, instantAt, wallTimeOf } from '../../domain/time';
import type { DomainEvent } from '../../events/domain-events';
import type { Db } from '../../store/db';
import { batchGet } from '../../store/db';
import { outboxId, outboxKey } from '../../store/keys';
import { getMembers, type Member, membersJoinedOn } from '../../store/members';
import {
  CANCELLED_BY_LEAVE,
  enqueue,
  getOutboxItem,
  type OutboxDecision,
  type OutboxItem,
  outboxWithPrefix,
  reschedule,
} from '../../store/outbox';
import { type DailySweepReport, type SweepOptions, sweepDays } from '../sweep';

/**
 * Onboarding. A member who joins gets a welcome at once (one per join day,
 * by its deterministic id), and the drip follows: the daily sweep finds the
 * members whose join was each step's days ago and queues that step, due the
 * same time of day as the join. A member who leaves has everything still
 * pending cancelled. A member who joins again within `restartAfterDays` of
 * their last welcome is not onboarded again, and joins replayed from old
 * history are not welcomed at all.
 */

/** A join older than this when it reaches onboarding is history, not a newcomer. */
export const WELCOME_WINDOW_MS = 24 * 60 * 60 * 1000;
const DAY_MS = 86_400_000;

/** What onboarding did with one event, for logs and tests. */
export type OnboardingOutcome = 'queued' | 'already-queued' | 'disabled' | 'stale' | 'rejoined' | 'ignored';

/**
 * On a join: the welcome, once per join day. A join from history is not welcomed, nor a rejoin within
 * `restartAfterDays` of the last welcome; a member who left and came back the same day has the welcome that
 * leaving cancelled put back.
 */
export async function onJoin(
  db: Db,
  community: CommunityConfig,
  event: DomainEvent,
  now: Date,
): Promise<OnboardingOutcome> {
  const joinedAt = new Date(event.occurredAt);
  if (now.getTime() - joinedAt.getTime() > WELCOME_WINDOW_MS) return 'stale';
  if (!community.onboarding.enabled) return 'disabled';
  const joinDay = dayIn(joinedAt, community.timezone);
  const id = outboxId('welcome', community.id, event.memberId, joinDay);
  if (await welcomedRecently(db, community, event.memberId, id, joinedAt)) return 'rejoined';
  const decision: OutboxDecision = {
    id,
    communityId: community.id,
    kind: 'welcome',
    memberId: event.memberId,
    delivery: community.onboarding.delivery,
    channel: community.onboarding.channel,
    vars: {},
    dueAt: now.toISOString(),
  };
  if (await enqueue(db, decision, now)) return 'queued';
  // Left and back the same day: the welcome that leaving cancelled is due again.
  const earlier = await getOutboxItem(db, community.id, id);
  if (earlier && cancelledByLeave(earlier) && (await reschedule(db, earlier, now, 'unsent', undefined, 0))) {
    return 'queued';
  }
  return 'already-queued';
}

/** A welcome cancelled because the member left before it went: it onboarded nobody. */
const cancelledByLeave = (welcome: OutboxItem): boolean =>
  welcome.status === 'skipped' && welcome.reason === CANCELLED_BY_LEAVE;

/** Whether the member was welcomed for another join within `restartAfterDays` before this one. */
async function welcomedRecently(
  db: Db,
  community: CommunityConfig,
  memberId: string,
  thisWelcome: string,
  joinedAt: Date,
): Promise<boolean> {
  const window = community.onboarding.restartAfterDays * DAY_MS;
  const welcomes = await outboxWithPrefix(db, community.id, `welcome#${community.id}#${memberId}#`);
  return welcomes.some(
    (w) =>
      w.id !== thisWelcome &&
      !cancelledByLeave(w) &&
      Date.parse(w.createdAt) <= joinedAt.getTime() &&
      joinedAt.getTime() - Date.parse(w.createdAt) < window,
  );
}

/**
 * The drip sweep at `now`: for each community day to decide and each step,
 * the members whose latest join fell that many days before. A step goes only
 * to a member who is still there, on the same join, and was welcomed for it
 * (a rejoin within the restart window, or a join from history, gets no drip).
 */
export function dripSweep(
  db: Db,
  communities: readonly CommunityConfig[],
  now: Date,
  options: SweepOptions = {},
): Promise<DailySweepReport> {
  const enabled = (c: CommunityConfig) => c.onboarding.enabled && c.onboarding.steps.length > 0;
  return sweepDays(db, 'onboarding', communities, now, options, enabled, async (community, day, report) => {
    for (const step of community.onboarding.steps) {
      const joinDay = addDays(day, -step.afterDays);
      const ids = await membersJoinedOn(db, community.id, joinDay);
      if (ids.length === 0) continue;
      report.found += ids.length;
      const members = await getMembers(db, community.id, ids);
      const welcomeKeys = ids.map((id) => outboxKey(community.id, outboxId('welcome', community.id, id, joinDay)));
      const welcomes = await batchGet<OutboxItem>(db, welcomeKeys, { consistent: true });
      const welcomed = new Set(welcomes.filter((w) => !cancelledByLeave(w)).map((w) => w.memberId));
      for (const member of members) {
        if (!onThisJoin(member, community, joinDay) || !welcomed.has(member.id)) continue;
        const queued = await enqueue(
          db,
          {
            id: outboxId('onboarding', community.id, member.id, `${joinDay}+${step.afterDays}d`),
            communityId: community.id,
            kind: 'onboarding',
            memberId: member.id,
            delivery: community.onboarding.delivery,
            channel: community.onboarding.channel,
            template: step.template,
            vars: { days: String(step.afterDays) },
            dueAt: sameTimeLater(member, community, step.afterDays).toISOString(),
          },
          now,
        );
        if (queued) report.queued++;
      }
    }
  });
}

/** The member's join time, `days` calendar days later where they are (a DST change keeps the hour). */
function sameTimeLater(member: Member, community: CommunityConfig, days: number): Date {
  const zone = member.timezone ?? community.timezone;
  const joined = wallTimeOf(new Date(member.joinedAt as string), zone);
  return instantAt({ ...joined, day: addDays(joined.day, days) }, zone);
}

/** Whether the member is present and their latest join is the one on `joinDay` (the index may lag). */
function onThisJoin(member: Member, community: CommunityConfig, joinDay: string): boolean {
  return (
    member.status === 'member' &&
    member.joinedAt !== undefined &&
    dayIn(new Date(member.joinedAt), community.timezone) === joinDay
  );
}
