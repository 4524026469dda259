import { readFile } from 'node:fs/promises';
import { type MemberCsv, MemberCsvError, parseMemberCsv } from '../../shared/domain/member-csv';
import { getCommunity } from '../../shared/store/communities';
import { importMembers } from '../../shared/store/member-import';
import { UsageError } from '../errors';
import { output } from '../output';
import { progressBar } from '../progress';
import type { Target } from '../target';

/**
 * `members import <community> <file.csv>`: members' names, birthdays, time
 * zones and locales from a spreadsheet. The whole file is checked before the
 * first write; a bad file names its line and column and writes nothing.
 */
export async function membersImport(target: Target, args: string[], json: boolean): Promise<void> {
  const [communityId, file] = args;
  const usage = 'hearth members import <community> <file.csv>';
  if (!communityId) throw new UsageError(`members import needs a community: ${usage}`);
  if (!file) throw new UsageError(`members import needs a file: ${usage}`);
  if (args.length > 2) throw new UsageError(`members import: unknown argument "${args[2]}"`);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new UsageError(`file: cannot read ${file}`);
  }
  let csv: MemberCsv;
  try {
    csv = parseMemberCsv(text);
  } catch (error) {
    if (error instanceof MemberCsvError) throw new UsageError(`${file}: ${error.message}`);
    throw error;
  }
  if (!(await getCommunity(target.db, communityId))) throw new UsageError(`community: no community "${communityId}"`);

  const bar = progressBar(json ? undefined : 'importing {bar} {value}/{total} rows', csv.rows.length);
  const result = await importMembers(target.db, communityId, csv.rows, new Date(), { onRow: bar.update }).finally(
    bar.stop,
  );
  output(json, { communityId, ...result, ignoredColumns: csv.ignoredColumns }, () => {
    const notWritten = [
      result.forgotten ? `${result.forgotten} forgotten` : '',
      result.superseded ? `${result.superseded} with a newer profile` : '',
    ].filter(Boolean);
    const ignored = csv.ignoredColumns.length ? `; ignored columns: ${csv.ignoredColumns.join(', ')}` : '';
    const skipped = notWritten.length ? `; not written: ${notWritten.join(', ')}` : '';
    return `imported ${result.rows} rows into ${communityId}: ${result.created} created, ${result.updated} updated${skipped}${ignored}`;
  });
}
