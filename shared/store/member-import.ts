import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type Db, ifCondition } from './db';
import { memberKey } from './keys';
import { firstSeen } from './members';
import { hasProfileFields, notForgotten, type ProfileFields, setProfileFields } from './profile';
import { UpdateBuilder } from './update';

/**
 * An operator's import of members' profiles (`hearth members import`): one
 * conditional UpdateItem per member, through the same profile rules as a
 * platform's live profile (`profile.ts`). So a member's own `/birthday` or
 * `/timezone` still wins, a forgotten member is not written, and importing
 * the same file again changes nothing but `profileAt`. A member not seen yet
 * is created, as a command's first sight of them would.
 *
 * Each row is its own write, with no transaction across rows: when a write
 * fails midway, running the import again finishes it.
 */

/** One member's profile to import. */
export interface ImportRow extends Pick<ProfileFields, 'name' | 'birthday' | 'timezone' | 'locale'> {
  id: string;
}

/** What an import did, row by row. */
export interface ImportResult {
  rows: number;
  /** Members Hearth had not seen before. */
  created: number;
  /** Members that were there and got the row's profile. */
  updated: number;
  /** Members who asked to be forgotten: not written. */
  forgotten: number;
  /** Members whose stored profile is newer than the import (a platform's update after `now`): not written. */
  superseded: number;
}

/** Writes in flight at once: quick for 10,000 rows without a burst a provisioned table would throttle. */
export const IMPORT_CONCURRENCY = 8;

/** Import `rows` into `communityId` as said at `now`. Rows are validated already (`parseMemberCsv`). */
export async function importMembers(
  db: Db,
  communityId: string,
  rows: readonly ImportRow[],
  now: Date,
  options: { concurrency?: number; onRow?: (done: number) => void } = {},
): Promise<ImportResult> {
  const { concurrency = IMPORT_CONCURRENCY, onRow } = options;
  const result: ImportResult = { rows: rows.length, created: 0, updated: 0, forgotten: 0, superseded: 0 };
  let done = 0;
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < rows.length) {
      const row = rows[next++];
      try {
        result[await importRow(db, communityId, row, now)]++;
        onRow?.(++done);
      } catch (error) {
        // The other workers stop taking rows; the first error is the import's.
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, rows.length)) }, worker));
  return result;
}

type Outcome = Exclude<keyof ImportResult, 'rows'>;

async function importRow(db: Db, communityId: string, row: ImportRow, now: Date): Promise<Outcome> {
  const at = now.toISOString();
  const key = memberKey(communityId, row.id);
  const update = firstSeen(new UpdateBuilder(), communityId, row.id, at, 'member');
  const profile: ProfileFields = { name: row.name, birthday: row.birthday, timezone: row.timezone, locale: row.locale };
  // As ingest does: a row with no profile field writes no `profileAt` (which would hold off older live profiles).
  const conditions = hasProfileFields(profile)
    ? setProfileFields(update, communityId, row.id, profile, true, at)
    : [notForgotten(update)];
  const written = await ifCondition(() =>
    db.doc.send(
      new UpdateCommand({
        TableName: db.table,
        Key: key,
        ...update.build(conditions.join(' AND ')),
        // `id` is in the update (set if absent), so its old value comes back exactly when the member existed.
        ReturnValues: 'UPDATED_OLD',
      }),
    ),
  );
  if (written !== undefined) return written.Attributes?.id === undefined ? 'created' : 'updated';
  // Either condition may have failed; the member item says which.
  const stored = await db.doc.send(
    new GetCommand({ TableName: db.table, Key: key, ConsistentRead: true, ProjectionExpression: 'forgottenAt' }),
  );
  return stored.Item?.forgottenAt !== undefined ? 'forgotten' : 'superseded';
}
