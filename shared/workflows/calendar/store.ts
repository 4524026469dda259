import { dayExpiresAt } from '../../store/days';
import { type Db, queryPrefix, updateItem } from '../../store/db';
import { TABLE } from '../../store/table';
import { UpdateBuilder } from '../../store/update';
import { type Progress, progressOf } from './challenges';

/**
 * The calendar's own items, in one partition per challenge (`C#<c>#CHALLENGE#<id>`):
 *
 * | item                  | sk               | written                                              |
 * |-----------------------|------------------|------------------------------------------------------|
 * | a day checked in      | `D#<m>#<day>`    | once, if absent: a second check-in that day finds it |
 * | a member's progress   | `P#<m>`          | from their days, only ever to a higher count          |
 *
 * Both expire as a member-day row does ({@link dayExpiresAt}: 400 days after the day, the last day checked
 * in for the progress), long after the challenge and the quarterly review that reads it.
 *
 * A check-in first writes its day, then reads the member's days (a Query of at most the challenge's length)
 * and writes the progress they make, so a retry after a failure in between completes it, and two check-ins
 * at once both end with the progress of both days. The digest reads the `P#` items: one per participant.
 */

const challengePk = (communityId: string, challengeId: string): string => `C#${communityId}#CHALLENGE#${challengeId}`;

/** A participant's progress as stored. */
export interface StoredProgress extends Progress {
  memberId: string;
  /** When the last day of the challenge was checked in with every other day (ISO), once. */
  completedAt?: string;
}

/**
 * Record `memberId`'s check-in for local `day`, once, and their progress after it. A check-in the day already
 * has reads and writes the progress all the same, so a retry after a failure between the two completes it.
 */
export async function recordCheckIn(
  db: Db,
  communityId: string,
  challengeId: string,
  memberId: string,
  day: string,
  at: Date,
): Promise<Progress> {
  const pk = challengePk(communityId, challengeId);
  const dayUpdate = new UpdateBuilder()
    .set('memberId', memberId)
    .set('day', day)
    .set('at', at.toISOString())
    .set(TABLE.ttlAttribute, dayExpiresAt(day));
  await updateItem(db, { pk, sk: `D#${memberId}#${day}` }, dayUpdate, {
    condition: `attribute_not_exists(${dayUpdate.name(TABLE.partitionKey)})`,
  });
  const days = await queryPrefix<{ day: string }>(db, pk, `D#${memberId}#`, { consistent: true, only: ['day'] });
  const progress = progressOf(days.map((d) => d.day));
  const update = new UpdateBuilder()
    .set('memberId', memberId)
    .set('count', progress.count)
    .set('streak', progress.streak)
    .set('best', progress.best)
    .set('lastDay', progress.lastDay)
    .set(TABLE.ttlAttribute, dayExpiresAt(progress.lastDay));
  const count = update.name('count');
  // Only forward: a slower writer that read fewer days does not undo a faster one's.
  await updateItem(db, { pk, sk: `P#${memberId}` }, update, {
    condition: `attribute_not_exists(${count}) OR ${count} < ${update.value(progress.count)}`,
  });
  return progress;
}

/**
 * `member forget`: drop the times of `memberId`'s check-ins in a challenge (the days stay: they are the
 * count). How many days had a time; a second run finds none.
 */
export async function forgetCheckInTimes(
  db: Db,
  communityId: string,
  challengeId: string,
  memberId: string,
): Promise<number> {
  const pk = challengePk(communityId, challengeId);
  const days = await queryPrefix<{ sk: string; at?: string }>(db, pk, `D#${memberId}#`);
  let erased = 0;
  for (const day of days.filter((d) => d.at !== undefined)) {
    await updateItem(db, { pk, sk: day.sk }, new UpdateBuilder().remove('at'));
    erased++;
  }
  return erased;
}

/** Mark a participant's challenge completed, once; false when it was already. */
export async function markCompleted(
  db: Db,
  communityId: string,
  challengeId: string,
  memberId: string,
  at: Date,
): Promise<boolean> {
  const update = new UpdateBuilder().set('completedAt', at.toISOString());
  const condition = `attribute_exists(${update.name(TABLE.partitionKey)}) AND attribute_not_exists(${update.name('completedAt')})`;
  return (
    (await updateItem(db, { pk: challengePk(communityId, challengeId), sk: `P#${memberId}` }, update, {
      condition,
    })) !== undefined
  );
}

/** Every participant's progress in a challenge (one item each). */
export function participants(db: Db, communityId: string, challengeId: string): Promise<StoredProgress[]> {
  return queryPrefix<StoredProgress>(db, challengePk(communityId, challengeId), 'P#');
}

/** How a challenge went: for the digest and `calendar challenge show`. */
export interface ChallengeStats {
  id: string;
  owner?: string;
  start: string;
  days: number;
  /** Members who checked in at least once. */
  participants: number;
  /** Members who checked in on every day. */
  completed: number;
  /** The longest streaks, longest first (then the member id), at most `top`. */
  longest: Array<{ memberId: string; best: number }>;
}

/** A challenge's numbers as of now: one Query of its participants' progress. */
export async function challengeStats(
  db: Db,
  communityId: string,
  challenge: { id: string; owner?: string; start: string; days: number },
  top = 3,
): Promise<ChallengeStats> {
  const all = await participants(db, communityId, challenge.id);
  return {
    id: challenge.id,
    ...(challenge.owner ? { owner: challenge.owner } : {}),
    start: challenge.start,
    days: challenge.days,
    participants: all.length,
    completed: all.filter((p) => p.completedAt).length,
    longest: all
      .map((p) => ({ memberId: p.memberId, best: p.best }))
      .sort((a, b) => b.best - a.best || a.memberId.localeCompare(b.memberId))
      .slice(0, top),
  };
}
