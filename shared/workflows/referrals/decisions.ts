import type { CommunityConfig } from '../../domain/config';
import type { ReferralConfidence } from '../../domain/events';
import { isActivity } from '../../domain/events';
import { addDays, dayIn } from '../../domain/time';
import type { DomainEvent } from '../../events/domain-events';
import { platformDefinition } from '../../platforms/registry';
import { updateMemberDay } from '../../store/days';
import { type Db, updateItem } from '../../store/db';
import { memberKey, outboxId } from '../../store/keys';
import { getMember, type Member, memberDays } from '../../store/members';
import { enqueue } from '../../store/outbox';
import { UpdateBuilder } from '../../store/update';
import { congratulateLevel, creditReferral, earnsPoints } from '../standing/store';
import { type DailySweepReport, inFlight, type SweepOptions, sweepDays } from '../sweep';
import {
  addPending,
  countInFunnel,
  getInviteCode,
  type PendingReferral,
  pendingReferrals,
  recordOutcome,
  removePending,
  takeQualifiedPlace,
} from './store';

/**
 * Referral attribution and qualification.
 *
 * **Attribution** happens once per member per community, at their first join
 * (the lifecycle function, on `member.joined`): the join's code (a Hearth
 * code: Telegram's invite-link name, WeCom's `State`, the generic webhook's
 * `referralCode`) names the referrer exactly; an inviter the platform names
 * (Slack, Feishu) is `declared`; Discord's invite-use difference, a guess when
 * two join at once, is `probable`. A member seen before (a rejoin), a referral
 * to oneself, an unknown or revoked code and a join that says nothing are
 * recorded as unattributed, with why. Whatever the first join said, no later
 * join is attributed: the member's `referral` is written only when absent.
 *
 * **Qualification** (job `referrals`): once a community day has ended, each
 * pending referral whose member was active on `qualify.activeDays` distinct
 * local days of the first `qualify.withinDays` (the join's day included)
 * qualifies; one whose window has passed expires. A member who left before
 * qualifying is lost at the leave and never qualifies; on a platform whose
 * ids say when an account was made (Discord), an account younger than
 * `minAccountAgeDays` at its join is rejected. At most `maxQualifiedPerDay`
 * of one referrer's referrals qualify on one day (the day the last needed
 * activity fell on); the rest are `capped`. A qualification credits the
 * referrer once: points (`points.referralQualified`), a qualified referral on
 * their day (the tier window counts it), and a thank-you (`thankYou`).
 */

/** What became of a referral, on the referred member's item. */
export type ReferralStatus = 'pending' | 'qualified' | 'capped' | 'lost' | 'rejected' | 'expired' | 'unattributed';

/** The referral facts on a member item. */
export interface ReferralFields {
  /** Who referred the member, how Hearth knows, and how sure it is; null when nobody did. */
  referredBy?: { memberId: string; source: string; confidence: ReferralConfidence; code?: string } | null;
  referral?: Referral;
}

/** A member's referral: what became of it, and the join it was decided at. */
export interface Referral {
  status: ReferralStatus;
  reason?: string;
  /** The join's local day, and the join's time (it tells a redelivery of that join from a later one). */
  joinDay: string;
  joinedAt: string;
  decidedOn?: string;
  /** The join named a code or an inviter (an unattributed one counts in the funnel). */
  named?: boolean;
}

type ReferralMember = Member & ReferralFields;

/** How a join was referred, before it is checked against the member. */
interface Claim {
  referrerId?: string;
  code?: string;
  source: string;
  confidence: ReferralConfidence;
  /** Why the join is unattributed, when it is. */
  unattributed?: string;
}

/** What the join's event says, resolved: a code to its member, an inviter as named. */
async function claimOf(db: Db, community: CommunityConfig, event: DomainEvent): Promise<Claim> {
  const platform = community.platform.kind;
  if (event.referralCode !== undefined) {
    const confidence = event.referralConfidence ?? 'exact';
    const code = await getInviteCode(db, community.id, event.referralCode);
    const source = `${platform}:code`;
    if (!code) return { source, confidence, code: event.referralCode, unattributed: 'unknown code' };
    if (code.revokedAt) return { source, confidence, code: code.code, unattributed: 'revoked code' };
    return { referrerId: code.memberId, code: code.code, source, confidence };
  }
  if (event.invitedBy !== undefined) {
    return {
      referrerId: event.invitedBy,
      source: `${platform}:inviter`,
      confidence: event.referralConfidence ?? 'declared',
    };
  }
  return { source: platform, confidence: 'exact', unattributed: 'no referral' };
}

/** Attribute a join (see above); returns the outcome for the lifecycle log. */
export async function attributeJoin(db: Db, community: CommunityConfig, event: DomainEvent): Promise<string> {
  const member = (await getMember(db, community.id, event.memberId, { consistent: true })) as
    | ReferralMember
    | undefined;
  if (!member) return 'ignored';
  if (member.referral) {
    // The same join delivered again after a failure part-way: finish what its first delivery began.
    if (member.referral.joinedAt !== event.occurredAt) return 'ignored';
    await followUpAttribution(db, community.id, member.id, member.referral, member.referredBy ?? null);
    return 'resumed';
  }
  const joinDay = dayIn(new Date(event.occurredAt), community.timezone);
  const claim = await claimOf(db, community, event);
  const seenBefore =
    (member.firstSeenAt !== undefined && member.firstSeenAt < event.occurredAt) ||
    (member.firstJoinedAt !== undefined && member.firstJoinedAt < event.occurredAt);
  const why =
    claim.unattributed ?? (claim.referrerId === member.id ? 'self-referral' : seenBefore ? 'seen before' : undefined);
  const named = claim.code !== undefined || claim.referrerId !== undefined;
  const referral: Referral = why
    ? { status: 'unattributed', reason: why, joinDay, joinedAt: event.occurredAt, ...(named ? { named } : {}) }
    : { status: 'pending', joinDay, joinedAt: event.occurredAt };
  const referredBy: ReferralFields['referredBy'] =
    why || !claim.referrerId
      ? null
      : {
          memberId: claim.referrerId,
          source: claim.source,
          confidence: claim.confidence,
          ...(claim.code ? { code: claim.code } : {}),
        };
  const update = new UpdateBuilder().set('referral', referral).set('referredBy', referredBy);
  const condition = `attribute_not_exists(${update.name('referral')})`;
  if ((await updateItem(db, memberKey(community.id, member.id), update, { condition })) === undefined) {
    return 'ignored';
  }
  await followUpAttribution(db, community.id, member.id, referral, referredBy);
  return referredBy ? `attributed (${referredBy.confidence})` : `unattributed: ${why}`;
}

/**
 * What follows an attribution, each step idempotent (a put of the same item,
 * a member id added to a set), so a redelivered join can run it again: the
 * pending referral the sweep decides, the referrer's tally and the funnel.
 */
async function followUpAttribution(
  db: Db,
  communityId: string,
  memberId: string,
  referral: Referral,
  referredBy: ReferralFields['referredBy'],
): Promise<void> {
  if (!referredBy) {
    // A join that named a code or an inviter but is not attributed counts in the funnel as one.
    if (referral.named) await countInFunnel(db, communityId, referral.joinDay, 'unattributed', memberId);
    return;
  }
  if (referral.status === 'pending') {
    await addPending(db, communityId, {
      memberId,
      referrerId: referredBy.memberId,
      joinDay: referral.joinDay,
      joinedAt: referral.joinedAt,
    });
  }
  await recordOutcome(db, communityId, referredBy.memberId, memberId, 'joined', referral.joinDay);
  await countInFunnel(db, communityId, referral.joinDay, 'joined', memberId);
}

/** A referred member who leaves before qualifying is lost: they never qualify, even after a rejoin. */
export async function loseOnLeave(db: Db, community: CommunityConfig, event: DomainEvent): Promise<string> {
  const day = dayIn(new Date(event.occurredAt), community.timezone);
  const member = (await getMember(db, community.id, event.memberId, { consistent: true })) as
    | ReferralMember
    | undefined;
  const referrerId = member?.referredBy?.memberId;
  if (!member || !referrerId) return 'none';
  // The status first, so a qualification deciding at the same moment cannot also win; a redelivered leave
  // finds it lost and records it again (a set: once).
  const lost = member.referral?.status === 'lost' || (await decide(db, community.id, member, 'lost', day));
  if (!lost) return 'none';
  await recordOutcome(db, community.id, referrerId, member.id, 'lost', day);
  return 'lost';
}

/**
 * Move a pending referral to its outcome, once (the member's referral must
 * still be pending), then let go of its pending item. Every step the outcome
 * needs is taken before this one, so a run cut short before it does them all
 * again, and nothing twice.
 */
async function decide(
  db: Db,
  communityId: string,
  member: ReferralMember,
  status: ReferralStatus,
  day: string,
  reason?: string,
): Promise<boolean> {
  const referral = { ...member.referral, status, decidedOn: day, ...(reason ? { reason } : {}) };
  const update = new UpdateBuilder().set('referral', referral);
  const condition = `${update.name('referral')}.${update.name('status')} = ${update.value('pending')}`;
  const decided = (await updateItem(db, memberKey(communityId, member.id), update, { condition })) !== undefined;
  await removePending(db, communityId, member.id);
  return decided;
}

/** What one referrals sweep did. */
export interface ReferralReport extends DailySweepReport {
  qualified: number;
  capped: number;
  expired: number;
  rejected: number;
}

/** The qualification sweep at `now`: each community's day before its local day of `now`. */
export async function referralSweep(
  db: Db,
  communities: readonly CommunityConfig[],
  now: Date,
  options: SweepOptions = {},
): Promise<ReferralReport> {
  const counts = { qualified: 0, capped: 0, expired: 0, rejected: 0 };
  const report = await sweepDays(
    db,
    'referrals',
    communities,
    now,
    options,
    () => true,
    async (community, today, r) => {
      const day = addDays(today, -1);
      const pending = await pendingReferrals(db, community.id);
      r.found += pending.length;
      // One referrer's referrals one after another, earliest join first: they share the referrer's daily cap
      // and points. Different referrers' go in parallel.
      const byReferrer = new Map<string, PendingReferral[]>();
      for (const referral of pending.sort((a, b) => (a.joinedAt < b.joinedAt ? -1 : a.joinedAt > b.joinedAt ? 1 : 0))) {
        byReferrer.set(referral.referrerId, [...(byReferrer.get(referral.referrerId) ?? []), referral]);
      }
      await inFlight([...byReferrer.values()], async (referrals) => {
        for (const referral of referrals) {
          const outcome = await decidePending(db, community, referral, day, now, r);
          if (outcome) counts[outcome]++;
        }
      });
    },
  );
  return { ...report, ...counts };
}

/** Decide one pending referral as of the end of `day`; undefined while it is still pending. */
async function decidePending(
  db: Db,
  community: CommunityConfig,
  pending: PendingReferral,
  day: string,
  now: Date,
  report: DailySweepReport,
): Promise<'qualified' | 'capped' | 'expired' | 'rejected' | undefined> {
  const { activeDays, withinDays } = community.referrals.qualify;
  // Joined after the day decided (just past midnight): nothing of its window has ended yet.
  if (pending.joinDay > day) return undefined;
  const lastDay = addDays(pending.joinDay, withinDays - 1);
  const member = (await getMember(db, community.id, pending.memberId, { consistent: true })) as
    | ReferralMember
    | undefined;
  if (member?.referral?.status !== 'pending') {
    // Decided already (by a leave, or by a run that stopped before letting go of the item).
    await removePending(db, community.id, pending.memberId);
    return undefined;
  }
  const referrerId = pending.referrerId;
  const close = async (outcome: 'expired' | 'rejected' | 'lost', on: string, reason?: string) => {
    await recordOutcome(db, community.id, referrerId, member.id, outcome, on);
    await decide(db, community.id, member, outcome, on, reason);
  };
  // A leave that reached Hearth before its join (events out of order) left no mark of its own.
  if (member.status !== 'member') {
    await close('lost', day);
    return undefined;
  }
  if (!earnsPoints(member)) {
    await close('rejected', day, member.isBot ? 'a bot' : 'staff');
    return 'rejected';
  }
  const rows = await memberDays(db, community.id, member.id, {
    from: pending.joinDay,
    to: day < lastDay ? day : lastDay,
  });
  const active = rows
    .filter(isActivity)
    .map((row) => row.day)
    .sort();
  if (active.length < activeDays) {
    if (day < lastDay) return undefined;
    await close('expired', day);
    return 'expired';
  }
  // It qualified on the day of the last activity it needed.
  const on = active[activeDays - 1];
  const created = platformDefinition(community.platform.kind).accountCreatedAt?.(member.id);
  const minAge = community.referrals.minAccountAgeDays * 86_400_000;
  if (created && Date.parse(pending.joinedAt) - created.getTime() < minAge) {
    await close('rejected', on, 'account too young');
    return 'rejected';
  }
  const max = community.referrals.maxQualifiedPerDay;
  if (!(await takeQualifiedPlace(db, community.id, referrerId, member.id, on, max))) {
    await recordOutcome(db, community.id, referrerId, member.id, 'capped', on);
    await countInFunnel(db, community.id, on, 'capped', member.id);
    await decide(db, community.id, member, 'capped', on);
    return 'capped';
  }
  // Every step once, whichever run gets here: the credit and the sets by the referred member's id, the
  // thank-you and a new level's congratulation by their outbox ids.
  const credited = await creditReferral(db, community, referrerId, member.id);
  await updateMemberDay(
    db,
    community.id,
    on,
    referrerId,
    new UpdateBuilder().addToSet('referred', new Set([member.id])),
  );
  await recordOutcome(db, community.id, referrerId, member.id, 'qualified', on);
  await countInFunnel(db, community.id, on, 'qualified', member.id);
  if (await thank(db, community, referrerId, member.id, now)) report.queued++;
  if (credited && (await congratulateLevel(db, community, referrerId, credited, now))) report.queued++;
  await decide(db, community.id, member, 'qualified', on);
  return 'qualified';
}

/** The thank-you to the referrer, once per referred member. */
function thank(db: Db, community: CommunityConfig, referrerId: string, memberId: string, now: Date) {
  const { thankYou } = community.referrals;
  if (thankYou === 'off') return Promise.resolve(false);
  return enqueue(
    db,
    {
      id: outboxId('referral.thanks', community.id, referrerId, memberId),
      communityId: community.id,
      kind: 'referral.thanks',
      memberId: referrerId,
      delivery: thankYou,
      vars: { points: String(community.points.referralQualified) },
      dueAt: now.toISOString(),
    },
    now,
  );
}
