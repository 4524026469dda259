import type { CommunityConfig } from '../../domain/config';
import { localHourOn } from '../../domain/lifecycle';
import { addDays, dayIn } from '../../domain/time';
import type { Db } from '../../store/db';
import { outboxId } from '../../store/keys';
import { getMembers, type Member, membersJoinedOn, membersLastActiveOn } from '../../store/members';
import { enqueue } from '../../store/outbox';
import { type DailySweepReport, type SweepOptions, sweepDays } from '../sweep';

/**
 * Inactivity win-backs. A member is silent since their last active day, or
 * since their latest join when they have not posted since. For each
 * community day and each rung of the ladder (default 14, then 30 days), the
 * sweep finds the members whose silence began exactly that many days before:
 * through byLastActive, and through byJoinDay for members who never posted
 * since joining. Each gets one win-back per rung of a silence (its id names
 * the day the silence began and the rung), due at the configured local hour.
 * Members still in onboarding who never posted are left to the drip. Cost
 * grows with the members who cross a rung that day.
 */

/** The win-back sweep at `now` (see above). */
export function winbackSweep(
  db: Db,
  communities: readonly CommunityConfig[],
  now: Date,
  options: SweepOptions = {},
): Promise<DailySweepReport> {
  const enabled = (c: CommunityConfig) => c.winback.enabled;
  return sweepDays(db, 'winback', communities, now, options, enabled, async (community, day, report) => {
    for (const rung of community.winback.ladderDays) {
      const since = addDays(day, -rung);
      // A member who joined and last spoke on the same day is in both; they are one member found.
      const ids = [
        ...new Set([
          ...(await membersLastActiveOn(db, community.id, since)),
          ...(await membersJoinedOn(db, community.id, since)),
        ]),
      ];
      if (ids.length === 0) continue;
      report.found += ids.length;
      for (const member of await getMembers(db, community.id, ids)) {
        if (!quietSince(member, community, since, day)) continue;
        const at = localHourOn(day, community.winback.hour, member.timezone ?? community.timezone);
        const queued = await enqueue(
          db,
          {
            id: outboxId('winback', community.id, member.id, `${since}+${rung}d`),
            communityId: community.id,
            kind: 'winback',
            memberId: member.id,
            delivery: community.winback.delivery,
            channel: community.winback.channel,
            vars: { days: String(rung) },
            dueAt: (at > now ? at : now).toISOString(),
            quietSince: since,
          },
          now,
        );
        if (queued) report.queued++;
      }
    }
  });
}

/**
 * Whether the member, present and reachable, has been silent since exactly
 * `since` (the index may lag behind a newer activity or join), and is not a
 * newcomer who never posted and whom the drip still speaks to on `day`.
 */
export function quietSince(member: Member, community: CommunityConfig, since: string, day: string): boolean {
  if (member.status !== 'member' || member.optedOut || member.isBot || member.isStaff) return false;
  const joinDay = member.joinedAt ? dayIn(new Date(member.joinedAt), community.timezone) : undefined;
  const lastActive = member.lastActiveDay;
  const postedSinceJoin = lastActive !== undefined && (joinDay === undefined || lastActive >= joinDay);
  const silentFrom = postedSinceJoin ? lastActive : joinDay;
  if (silentFrom !== since) return false;
  if (postedSinceJoin || joinDay === undefined) return true;
  const steps = community.onboarding.enabled ? community.onboarding.steps : [];
  const lastStep = steps.length ? steps[steps.length - 1].afterDays : 0;
  return day > addDays(joinDay, lastStep);
}
