import { getCommunity } from '../../shared/store/communities';
import { type ActivityTotals, getMemberWithTotals, type Member } from '../../shared/store/members';
import { forgetEverywhere } from '../../shared/workflows/forget';
import type { ReferralFields } from '../../shared/workflows/referrals/decisions';
import { referrerTally } from '../../shared/workflows/referrals/store';
import type { StandingMember } from '../../shared/workflows/standing/store';
import { type StandingSummary, standingSummary } from '../../shared/workflows/standing/summary';
import { UsageError } from '../errors';
import { output } from '../output';
import type { Target } from '../target';

/** A referrer's counts, as `member show` gives them. */
export interface ReferralCounts {
  joined: number;
  qualified: number;
  capped: number;
}

/** The member as the CLI contract shows it (docs/contract.md). */
export function memberView(
  member: Member & ActivityTotals & ReferralFields,
  standing: StandingSummary,
  referrals: ReferralCounts,
) {
  return {
    id: member.id,
    name: member.name ?? null,
    status: member.status,
    joinedAt: member.joinedAt ?? null,
    leftAt: member.leftAt ?? null,
    firstActiveDay: member.firstActiveDay ?? null,
    lastActiveDay: member.lastActiveDay ?? null,
    messages: member.messages,
    replies: member.replies,
    reactions: member.reactions,
    activeDays: member.activeDays,
    joins: member.joins ?? 0,
    leaves: member.leaves ?? 0,
    birthday: member.birthday ?? null,
    timezone: member.timezone ?? null,
    locale: member.locale ?? null,
    optedOut: member.optedOut ?? false,
    isBot: member.isBot ?? false,
    isStaff: member.isStaff ?? false,
    points: standing.points,
    level: standing.level,
    badges: standing.badges,
    tier: standing.tier,
    referralCode: member.inviteCode ?? null,
    referredBy: member.referredBy
      ? {
          memberId: member.referredBy.memberId,
          source: member.referredBy.source,
          confidence: member.referredBy.confidence,
        }
      : null,
    referrals,
  };
}

function needIds(community: string | undefined, member: string | undefined, command: string): [string, string] {
  if (!community) throw new UsageError(`${command} needs a community: hearth ${command} <community> <member>`);
  if (!member) throw new UsageError(`${command} needs a member: hearth ${command} <community> <member>`);
  return [community, member];
}

/** `member show <community> <member>`. */
export async function memberShow(target: Target, args: string[], json: boolean): Promise<void> {
  const [communityId, memberId] = needIds(args[0], args[1], 'member show');
  const [member, community, tally] = await Promise.all([
    getMemberWithTotals(target.db, communityId, memberId),
    getCommunity(target.db, communityId),
    referrerTally(target.db, communityId, memberId),
  ]);
  if (!member || !community) throw new UsageError(`no member "${memberId}" in community "${communityId}"`);
  const standing = await standingSummary(target.db, community, member as StandingMember & ActivityTotals, new Date());
  const referrals = { joined: tally.joined.size, qualified: tally.qualified.size, capped: tally.capped.size };
  const view = memberView(member, standing, referrals);
  output(json, view, () =>
    Object.entries(view)
      .map(([k, v]) => `${k.padEnd(15)}${humanValue(v)}`)
      .join('\n'),
  );
}

/** `member forget <community> <member>`: erase personal data in every workflow, keep counts. */
export async function memberForget(target: Target, args: string[], json: boolean): Promise<void> {
  const [communityId, memberId] = needIds(args[0], args[1], 'member forget');
  const community = await getCommunity(target.db, communityId);
  const erased = community ? await forgetEverywhere(target.db, community, memberId, new Date()) : undefined;
  if (!erased) throw new UsageError(`no member "${memberId}" in community "${communityId}"`);
  output(json, { forgotten: memberId, erased }, () =>
    [
      `forgot ${memberId}'s personal data; counts kept`,
      ...(erased.length ? erased.map((line) => `  erased: ${line}`) : ['  nothing was left to erase']),
    ].join('\n'),
  );
}

/** A field of `member show` for people: lists joined, objects as `key value` pairs. */
function humanValue(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (Array.isArray(value)) return value.length ? value.join(', ') : '-';
  if (typeof value === 'object') {
    return Object.entries(value)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
  }
  return String(value);
}
