import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { type Db, ifCondition } from './db';
import { sweepMarkKey } from './keys';

/**
 * Where a scheduled run got to (a due bucket, an instant, or a day), so the
 * next run starts there: a missed run is caught up, and a run repeated in the
 * same period reads nothing twice. The dispatcher's watermark and the sweeps'
 * marks are all kept here. Deterministic outbox ids make a repeat harmless
 * anyway; the mark saves its reads.
 */

/**
 * The marks this process has read or set, by client (one engine or account), table, job and community. A
 * mark only moves forward, so one known here is the stored one or behind it: enough to know, without a read,
 * that a mark is at least a value. By client, not by table name alone: two stacks in one process (a test's,
 * each on its own engine, both with the table `hearth`) must not learn each other's marks.
 */
const knownByClient = new WeakMap<object, Map<string, string>>();

function marksOf(db: Db): Map<string, string> {
  let marks = knownByClient.get(db.doc);
  if (!marks) {
    marks = new Map();
    knownByClient.set(db.doc, marks);
  }
  return marks;
}

const knownKey = (db: Db, job: string, communityId?: string) => `${db.table}\u0000${job}\u0000${communityId ?? ''}`;

function learn(db: Db, job: string, communityId: string | undefined, through: string | undefined): void {
  const key = knownKey(db, job, communityId);
  const before = marksOf(db).get(key);
  if (through !== undefined && (before === undefined || through > before)) marksOf(db).set(key, through);
}

/** The mark of `job` (and `communityId`, for sweeps that run per community), if any. */
export async function getSweepMark(db: Db, job: string, communityId?: string): Promise<string | undefined> {
  const result = await db.doc.send(new GetCommand({ TableName: db.table, Key: sweepMarkKey(job, communityId) }));
  const through = result.Item?.through as string | undefined;
  learn(db, job, communityId, through);
  return through;
}

/**
 * The mark as this process last knew it (it set or read it), else as stored. Only for a job whose own runs
 * move its mark, and for which a mark behind the stored one merely costs more work done again harmlessly (the
 * dispatcher walks a few more buckets; a holiday known decided needs no read). Not for a community's hourly
 * sweep fanned out across processes, where what one process knows is hours old; undefined when there is none.
 */
export async function lastKnownSweepMark(db: Db, job: string, communityId?: string): Promise<string | undefined> {
  return marksOf(db).get(knownKey(db, job, communityId)) ?? getSweepMark(db, job, communityId);
}

/**
 * Whether this process knows the mark to be at least `value` (it set or read one as high), so that a daily
 * sweep run again the same day learns it has nothing to do without reading: false means "read it".
 */
export function sweepMarkKnownAtLeast(db: Db, job: string, value: string, communityId?: string): boolean {
  const mark = marksOf(db).get(knownKey(db, job, communityId));
  return mark !== undefined && mark >= value;
}

/** Move the mark forward to `through` (never back). */
export async function setSweepMark(db: Db, job: string, through: string, communityId?: string): Promise<void> {
  // Known to be this far already: the write would be refused.
  if (sweepMarkKnownAtLeast(db, job, through, communityId)) return;
  await ifCondition(() =>
    db.doc.send(
      new PutCommand({
        TableName: db.table,
        Item: { ...sweepMarkKey(job, communityId), through },
        ConditionExpression: 'attribute_not_exists(#through) OR #through < :through',
        ExpressionAttributeNames: { '#through': 'through' },
        ExpressionAttributeValues: { ':through': through },
      }),
    ),
  );
  // Written, or refused because the stored mark is already as far: either way it is at least this now.
  learn(db, job, communityId, through);
}
