import { type Db, queryBetween, updateItem } from './db';
import { shortKey } from './keys';
import { UpdateBuilder } from './update';

/**
 * A community's membership by local day, for the digest's member counts and
 * join cohorts (docs/kpis.md, "Growth" and "Lifecycle"):
 *
 * | item            | pk               | sk      |
 * |-----------------|------------------|---------|
 * | a day's changes | `C#<c>#MEMBERS`  | `<day>` |
 *
 * `delta` is the members gained minus the members lost that day (a join of
 * someone not a member, or the first activity of someone never seen; a leave
 * of someone who was), `firstJoins` the members
 * whose first join fell that day, and `events` the keys of the events counted,
 * so a retried event is counted once. Staff and bots are not counted. Written
 * by ingest after the member write of a join or leave, which knows what the
 * member was before; members at the end of a day are the sum of the deltas up
 * to it (one row per day with a change: a small partition).
 */

const membershipPk = (communityId: string): string => `C#${communityId}#MEMBERS`;

/** Count one join or leave's change on its day, once per event. */
export async function recordMembership(
  db: Db,
  communityId: string,
  day: string,
  eventId: string,
  change: { delta: number; firstJoin?: string },
): Promise<void> {
  const key = shortKey(eventId);
  const update = new UpdateBuilder()
    .add('delta', change.delta)
    .addToSet('events', new Set([key]))
    .setIfAbsent('day', day);
  if (change.firstJoin) update.addToSet('firstJoins', new Set([change.firstJoin]));
  const events = update.name('events');
  const condition = `attribute_not_exists(${events}) OR NOT contains(${events}, ${update.value(key)})`;
  await updateItem(db, { pk: membershipPk(communityId), sk: day }, update, { condition });
}

/** One day of membership changes. */
export interface MembershipDay {
  day: string;
  delta: number;
  firstJoins: Set<string>;
}

/** Every day with a membership change up to `last` (inclusive), in order. */
export async function membershipDays(db: Db, communityId: string, last: string): Promise<MembershipDay[]> {
  const rows = await queryBetween<{ day: string; delta?: number; firstJoins?: Set<string> }>(
    db,
    membershipPk(communityId),
    '0000-01-01',
    last,
  );
  return rows.map((row) => ({ day: row.day, delta: row.delta ?? 0, firstJoins: row.firstJoins ?? new Set() }));
}
