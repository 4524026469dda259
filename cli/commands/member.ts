import { type ActivityTotals, forgetMember, getMemberWithTotals, type Member } from '../../shared/store/members';
import { UsageError } from '../errors';
import { output } from '../output';
import type { Target } from '../target';

/** The member as the CLI contract shows it (docs/contract.md). */
export function memberView(member: Member & ActivityTotals) {
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
  const member = await getMemberWithTotals(target.db, communityId, memberId);
  if (!member) throw new UsageError(`no member "${memberId}" in community "${communityId}"`);
  const view = memberView(member);
  output(json, view, () =>
    Object.entries(view)
      .map(([k, v]) => `${k.padEnd(15)}${v ?? '-'}`)
      .join('\n'),
  );
}

/** `member forget <community> <member>`: erase personal data, keep counts. */
export async function memberForget(target: Target, args: string[], json: boolean): Promise<void> {
  const [communityId, memberId] = needIds(args[0], args[1], 'member forget');
  const done = await forgetMember(target.db, communityId, memberId, new Date());
  if (!done) throw new UsageError(`no member "${memberId}" in community "${communityId}"`);
  output(json, { forgotten: memberId }, () => `forgot ${memberId}'s personal data; counts kept`);
}
