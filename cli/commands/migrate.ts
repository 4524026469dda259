import { migrate } from '../../shared/store/migrate';
import { output } from '../output';
import type { Target } from '../target';

/** `migrate [--dry-run]`: move a table written before the per-community layout to it (see shared/store/migrate.ts). */
export async function migrateCommand(target: Target, dryRun: boolean, json: boolean): Promise<void> {
  const report = await migrate(target.db, new Date(), { dryRun });
  const moved = report.communities + report.marks + report.members + report.pendingItems;
  const refused = report.refused.map(
    (r) => `\nnot moved: community ${r.communityId}, its config is refused: ${r.reason}`,
  );
  output(json, { dryRun, ...report }, () =>
    moved === 0 && !refused.length
      ? 'nothing to migrate: the table is in the current layout'
      : `${dryRun ? 'would move' : 'moved'} ${report.communities} community configs, ${report.marks} sweep marks, ${report.members} members' birthday and first-join keys, ${report.pendingItems} pending outbox items${refused.join('')}`,
  );
  // A config left behind is a community the new layout does not know yet: not a success.
  if (refused.length) process.exitCode = 1;
}
