import type { CommunityConfig } from '../domain/config';
import type { Db } from '../store/db';
import { eraseDayDetails, forgetMember, getMember, PERSONAL_FIELDS } from '../store/members';
import type { Workflow } from './contract';
import { WORKFLOWS } from './registry';

/**
 * `member forget`: erase every item's personal data about a member, keep the counts.
 *
 * 1. Each workflow's `forget` erases what it keeps (the referrals' invite code, the standing's place on the
 *    leaderboard), given the member as read before anything was erased.
 * 2. The member's day rows lose the times of their activity and whom they answered (`PERSONAL_DAY_SETS`);
 *    their counts and the dedupe set of event ids stay, so a late copy of an event still counts once.
 * 3. The member item loses its `PERSONAL_FIELDS` (the birthday index entry with them) and is marked
 *    forgotten and opted out, so nothing automated reaches them again.
 *
 * The member item goes last: a run that stops half way is run again whole, and each step then finds nothing
 * left to erase. What stays names the member only by their platform id: counts, dates, the outbox's
 * record of what was sent (its texts are rendered at send time and never stored), and the standing's
 * once-per-message credit markers, which hold ids only and expire with the day rows.
 */
export async function forgetEverywhere(
  db: Db,
  community: CommunityConfig,
  memberId: string,
  now: Date,
): Promise<string[] | undefined> {
  const member = await getMember(db, community.id, memberId, { consistent: true });
  if (!member) return undefined;
  const erased: string[] = [];
  for (const workflow of WORKFLOWS as readonly Workflow[]) {
    if (workflow.forget) erased.push(...(await workflow.forget(db, community, member, now)));
  }
  const days = await eraseDayDetails(db, community.id, memberId);
  if (days > 0) erased.push(`activity times on ${days} day row${days === 1 ? '' : 's'}`);
  const fields = PERSONAL_FIELDS.filter((field) => member[field as keyof typeof member] !== undefined);
  await forgetMember(db, community.id, memberId, now);
  if (fields.length > 0) erased.push(`member fields ${fields.join(', ')}`);
  return erased;
}
