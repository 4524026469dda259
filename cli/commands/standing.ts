import type { CommunityConfig } from '../../shared/domain/config';
import { dayIn, daysOfIsoWeek, isoWeekOf } from '../../shared/domain/time';
import { getCommunity } from '../../shared/store/communities';
import { leaderboard, tiersReport } from '../../shared/workflows/standing/leaderboard';
import { UsageError } from '../errors';
import { output, table } from '../output';
import type { Target } from '../target';

/** The community named by a command's first argument. */
export async function communityArg(target: Target, id: string | undefined, command: string): Promise<CommunityConfig> {
  if (!id) throw new UsageError(`${command} needs a community: hearth ${command} <community>`);
  const community = await getCommunity(target.db, id);
  if (!community) throw new UsageError(`no community "${id}"`);
  return community;
}

/** `--week YYYY-Www`, checked. */
export function weekArg(week: string | undefined): string | undefined {
  if (week === undefined) return undefined;
  if (!daysOfIsoWeek(week)) throw new UsageError(`--week must be an ISO week such as 2026-W49, got "${week}"`);
  return week;
}

/** `leaderboard <community> [--week YYYY-Www]`: the top 20 by points, all time or in one week. */
export async function leaderboardCommand(target: Target, args: string[], week: string | undefined, json: boolean) {
  const community = await communityArg(target, args[0], 'leaderboard');
  const entries = await leaderboard(target.db, community, { week: weekArg(week) });
  output(json, entries, () =>
    entries.length === 0
      ? `no points yet in ${community.id}${week ? ` in ${week}` : ''} (points are folded in after each local day ends: run tiers)`
      : table([
          ['#', 'member', 'points', 'level', 'tier'],
          ...entries.map((e, i) => [String(i + 1), e.memberId, String(e.points), String(e.level), e.tier]),
        ]),
  );
}

/** `tiers <community> [--week YYYY-Www]`: the distribution, and the week's promotions and demotions. */
export async function tiersCommand(target: Target, args: string[], week: string | undefined, json: boolean) {
  const community = await communityArg(target, args[0], 'tiers');
  const which = weekArg(week) ?? isoWeekOf(dayIn(new Date(), community.timezone));
  const report = await tiersReport(target.db, community.id, which);
  const { distribution, promoted, demoted } = report;
  output(json, { distribution, promoted, demoted }, () =>
    [
      `${community.id}, ${which}: ${promoted} promoted, ${demoted} demoted`,
      table([Object.keys(distribution), Object.values(distribution).map(String)]),
    ].join('\n'),
  );
}
