import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type Db, ifCondition } from './db';
import { birthdayIndexKeys, memberKey } from './keys';
import { firstSeen } from './members';
import { UpdateBuilder } from './update';

/**
 * What members say about themselves through commands: birthday, time zone,
 * opt-out, and the invite code they ask for. Each preference carries the time
 * it was said (`<name>At`) and a write is applied only when it is not older
 * than the one stored, so a platform's late retry of an old `/optout` cannot
 * undo a newer `/optin`, nor a command said before `member forget` undo it. Writing the same preference again is harmless, so a
 * command may be applied again when its delivery is retried.
 */

export type Preference = { birthday: string } | { timezone: string } | { optedOut: boolean };

/** Set one preference said at `at`; false when a newer one is already stored. */
export async function setPreference(
  db: Db,
  communityId: string,
  memberId: string,
  preference: Preference,
  at: Date,
): Promise<boolean> {
  const update = firstSeen(new UpdateBuilder(), communityId, memberId, at.toISOString(), 'member');
  let stamp: string;
  // The `…Chosen` copies mark what the member said, which a platform's profile does not overwrite (`ingest.ts`).
  if ('birthday' in preference) {
    stamp = 'birthdayAt';
    const { bdayPk, bdaySk } = birthdayIndexKeys(communityId, memberId, preference.birthday.slice(-5));
    update.set('birthday', preference.birthday).set('birthdayChosen', preference.birthday);
    update.set('bdayPk', bdayPk).set('birthdayChosenPk', bdayPk).set('bdaySk', bdaySk);
  } else if ('timezone' in preference) {
    stamp = 'timezoneAt';
    update.set('timezone', preference.timezone).set('timezoneChosen', preference.timezone);
  } else {
    stamp = 'optedOutAt';
    update.set('optedOut', preference.optedOut);
  }
  const when = at.toISOString();
  update.set(stamp, when);
  const name = update.name(stamp);
  const forgotten = update.name('forgottenAt');
  // Not older than what is stored, and not said before the member asked to be forgotten.
  const condition =
    `(attribute_not_exists(${name}) OR ${name} <= ${update.value(when)})` +
    ` AND (attribute_not_exists(${forgotten}) OR ${forgotten} < ${update.value(when)})`;
  const result = await ifCondition(() =>
    db.doc.send(
      new UpdateCommand({ TableName: db.table, Key: memberKey(communityId, memberId), ...update.build(condition) }),
    ),
  );
  return result !== undefined;
}

/** Make sure the member exists (a command can be the first thing Hearth hears from someone). */
export async function ensureMember(db: Db, communityId: string, memberId: string, at: Date): Promise<void> {
  const update = firstSeen(new UpdateBuilder(), communityId, memberId, at.toISOString(), 'member');
  await db.doc.send(
    new UpdateCommand({ TableName: db.table, Key: memberKey(communityId, memberId), ...update.build() }),
  );
}
