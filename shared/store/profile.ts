import type { MemberProfile } from '../domain/events';
import { birthdayIndexKeys } from './keys';
import type { UpdateBuilder } from './update';

/**
 * How a member's profile (name, birthday, time zone, locale, bot and staff
 * flags) is written, whoever supplies it: a platform event (`ingest.ts`) or
 * an operator's spreadsheet (`member-import.ts`). One implementation, so the
 * rules below hold whatever the source:
 * - A live profile replaces the stored one unless a later one is already
 *   there (`profileAt`); history (`live` false) only fills what is empty.
 * - What a member said themselves (`/birthday`, `/timezone`, kept in the
 *   `…Chosen` copies by `preferences.ts`) outranks any profile.
 * - The byBirthday index keys follow the birthday, under the same rule.
 * - A member who asked to be forgotten is not written again.
 */

/** The profile fields a source may supply; an undefined field is left as stored. */
export type ProfileFields = Omit<MemberProfile, 'id'>;

/** Whether `profile` supplies any field at all. */
export const hasProfileFields = (profile: ProfileFields): boolean => {
  const { name, birthday, timezone, locale, isBot, isStaff } = profile;
  return [name, birthday, timezone, locale, isBot, isStaff].some((v) => v !== undefined);
};

/**
 * Put `profile` (of member `memberId`, said at `at`) into `update`, returning
 * the conditions the write needs; join them with AND. They fail for a
 * forgotten member and, when `live`, for a profile older than the stored one.
 */
export function setProfileFields(
  update: UpdateBuilder,
  communityId: string,
  memberId: string,
  profile: ProfileFields,
  live: boolean,
  at: string,
): string[] {
  const set = (attribute: string, value: unknown) =>
    live ? update.set(attribute, value) : update.setIfAbsent(attribute, value);
  // The `…Chosen` copy, when there is one, stays (or becomes again) the value: the member's word wins.
  const setUnlessChosen = (attribute: string, chosen: string, value: unknown) =>
    live ? update.setUnlessPreferred(attribute, chosen, value) : update.setIfAbsent(attribute, value);
  set('name', profile.name);
  setUnlessChosen('birthday', 'birthdayChosen', profile.birthday);
  setUnlessChosen('timezone', 'timezoneChosen', profile.timezone);
  set('locale', profile.locale);
  set('isBot', profile.isBot);
  set('isStaff', profile.isStaff);
  if (profile.birthday) {
    const { bdayPk, bdaySk } = birthdayIndexKeys(communityId, memberId, profile.birthday.slice(-5));
    setUnlessChosen('bdayPk', 'birthdayChosenPk', bdayPk);
    set('bdaySk', bdaySk);
  }
  if (!live) return [notForgotten(update)];
  update.set('profileAt', at);
  // Absent or not later: a live profile that arrives after a newer one leaves the newer one in place.
  const profileAt = update.name('profileAt');
  return [notForgotten(update), `(attribute_not_exists(${profileAt}) OR ${profileAt} <= ${update.value(at)})`];
}

/** Condition: the member has not asked to be forgotten (their profile is not written again). */
export function notForgotten(update: UpdateBuilder): string {
  return `attribute_not_exists(${update.name('forgottenAt')})`;
}
