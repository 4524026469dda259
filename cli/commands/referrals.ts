import { getMembers } from '../../shared/store/members';
import { inviteCodeFor, referrerTallies, revokeInviteCode, stillPending } from '../../shared/workflows/referrals/store';
import { UsageError } from '../errors';
import { output, table } from '../output';
import type { Target } from '../target';
import { communityArg, weekArg } from './standing';

/** One referrer, as `referrals <community> --json` lists them (docs/contract.md). */
export interface ReferrerView {
  memberId: string;
  code: string | null;
  joined: number;
  qualified: number;
  pending: number;
}

/**
 * `referrals <community> [--week YYYY-Www]`: each referrer's joins, qualified
 * referrals and those still pending, most qualified first. With a week: the
 * joins attributed in it, the referrals that qualified in it, and which of
 * that week's joins are still pending.
 */
export async function referralsList(target: Target, args: string[], week: string | undefined, json: boolean) {
  const community = await communityArg(target, args[0], 'referrals');
  const which = weekArg(week);
  const allTime = await referrerTallies(target.db, community.id);
  const tallies = which ? await referrerTallies(target.db, community.id, which) : allTime;
  const decided = new Map(allTime.map((t) => [t.referrerId, t]));
  const members = new Map(
    (
      await getMembers(
        target.db,
        community.id,
        tallies.map((t) => t.referrerId),
      )
    ).map((m) => [m.id, m]),
  );
  const views: ReferrerView[] = tallies
    .map((tally) => {
      return {
        memberId: tally.referrerId,
        code: members.get(tally.referrerId)?.inviteCode ?? null,
        joined: tally.joined.size,
        qualified: tally.qualified.size,
        pending: stillPending(tally, decided.get(tally.referrerId)).length,
      };
    })
    .sort((a, b) => b.qualified - a.qualified || b.joined - a.joined || (a.memberId < b.memberId ? -1 : 1));
  output(json, views, () =>
    views.length === 0
      ? `no referrals in ${community.id}${which ? ` in ${which}` : ''}`
      : table([
          ['member', 'code', 'joined', 'qualified', 'pending'],
          ...views.map((v) => [v.memberId, v.code ?? '-', String(v.joined), String(v.qualified), String(v.pending)]),
        ]),
  );
}

/** `referrals issue <community> <member>`: the member's invite code (the same each time). */
export async function referralsIssue(target: Target, args: string[], json: boolean) {
  const community = await communityArg(target, args[0], 'referrals issue');
  const memberId = args[1];
  if (!memberId) throw new UsageError('referrals issue needs a member: hearth referrals issue <community> <member>');
  const code = await inviteCodeFor(target.db, community.id, memberId, new Date());
  const link = community.referrals.linkTemplate?.replaceAll('{code}', encodeURIComponent(code));
  output(json, { memberId, code, link: link ?? null }, () => `${memberId}: ${code}${link ? `  ${link}` : ''}`);
}

/** `referrals revoke <community> <code>`: joins through it are unattributed from now on. */
export async function referralsRevoke(target: Target, args: string[], json: boolean) {
  const community = await communityArg(target, args[0], 'referrals revoke');
  const code = args[1];
  if (!code) throw new UsageError('referrals revoke needs a code: hearth referrals revoke <community> <code>');
  if (!(await revokeInviteCode(target.db, community.id, code, new Date()))) {
    throw new UsageError(`no invite code "${code}" in community "${community.id}"`);
  }
  output(json, { revoked: code }, () => `revoked ${code}: a join through it is unattributed from now on`);
}
