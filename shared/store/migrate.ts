import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { type CommunityConfig, parseCommunityConfig } from '../domain/config';
import { listCommunities, listCommunityIds } from './communities';
import { type Db, ifCondition, queryAll, queryPrefix, updateItem } from './db';
import {
  anniversaryIndexKeys,
  birthdayIndexKeys,
  communityDirectoryKey,
  communityKey,
  dueIndexKeys,
  MEMBER_SK_PREFIX,
  membersPk,
  outboxPk,
} from './keys';
import { getSweepMark, setSweepMark } from './sweeps';
import { UpdateBuilder } from './update';

/**
 * `hearth migrate`: moves a table written before the per-community layout
 * (sweeps fanned out one community at a time) to it. What moves:
 * - community configs from `COMMUNITY`/`<c>` to `C#<c>`/`CONFIG`, with a directory entry each;
 * - sweep marks from `SWEEP`/`<job>#<c>` to `C#<c>#SWEEP`/`<job>`, and the greeting sweeps' one instant mark
 *   (`SWEEP`/`<job>`) to each community's;
 * - members' birthday and first-join index keys from `BDAY#<MM-DD>` and `ANNIV#<MM-DD>` (shared by every
 *   community) to the community's own partitions;
 * - pending outbox items from an unsharded due hour (`DUE#<hour>`) to their shard.
 * Every write is conditional (on the old value, or on nothing newer being stored), so a write the running stack
 * made meanwhile wins and a second run finds nothing to move. Run it right after deploying this version: until
 * it has, the new code knows no community of the old table. Old configs and marks are left where they were:
 * nothing reads them any more.
 * A one-off over every item of those kinds, it reads whole partitions: never run by a Lambda.
 */

/** What a migration moved (or, with `dryRun`, would move). */
export interface MigrationReport {
  communities: number;
  marks: number;
  members: number;
  pendingItems: number;
  /** Old configs this version's validation refuses: left where they were, with the reason. */
  refused: Array<{ communityId: string; reason: string }>;
}

const OLD_COMMUNITY_PK = 'COMMUNITY';
const OLD_MARKS_PK = 'SWEEP';
/** The jobs whose old mark was one instant for every community (the greeting sweeps' window). */
const SHARED_INSTANT_MARKS = ['birthdays', 'anniversaries'];
const OLD_DUE = /^DUE#\d{4}-\d\d-\d\dT\d\d$/;

/** Move everything old; with `dryRun`, only count it. */
export async function migrate(db: Db, now: Date, options: { dryRun?: boolean } = {}): Promise<MigrationReport> {
  const report: MigrationReport = { communities: 0, marks: 0, members: 0, pendingItems: 0, refused: [] };
  const write = !options.dryRun;

  const oldConfigs = await queryAll<{ sk: string; config: unknown; updatedAt?: string }>(db, {
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': OLD_COMMUNITY_PK },
  });
  const known = new Set(await listCommunityIds(db));
  const moving: CommunityConfig[] = [];
  for (const item of oldConfigs) {
    if (known.has(item.sk)) continue;
    let config: CommunityConfig;
    try {
      config = parseCommunityConfig(item.config);
    } catch (error) {
      // One config this version refuses holds back no other: it is named, and left where it was.
      report.refused.push({ communityId: item.sk, reason: (error as Error).message });
      continue;
    }
    report.communities++;
    moving.push(config);
    if (write) await moveConfig(db, config, item.updatedAt ?? now.toISOString());
  }
  const communities: CommunityConfig[] = [...(await listCommunities(db)), ...(write ? [] : moving)];

  const oldMarks = await queryAll<{ sk: string; through: string }>(db, {
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': OLD_MARKS_PK },
  });
  for (const { sk, through } of oldMarks) {
    // `<job>#<c>`, where the job may hold `#` itself (a holiday's `holidays#<date>+<template>`) and a community
    // id never does.
    const split = sk.lastIndexOf('#');
    const targets =
      split > 0
        ? [{ job: sk.slice(0, split), communityId: sk.slice(split + 1) }]
        : SHARED_INSTANT_MARKS.includes(sk)
          ? communities.map((c) => ({ job: sk, communityId: c.id }))
          : [];
    for (const { job, communityId } of targets) {
      const current = await getSweepMark(db, job, communityId);
      if (current !== undefined && current >= through) continue;
      report.marks++;
      if (write) await setSweepMark(db, job, through, communityId);
    }
  }

  for (const community of communities) {
    report.members += await moveMemberKeys(db, community.id, write);
    report.pendingItems += await movePendingItems(db, community.id, now, write);
  }
  return report;
}

/**
 * A config to its new place: its directory entry, then the config itself only where none is stored yet (one
 * the running stack stored meanwhile is newer), keeping when it was last stored.
 */
async function moveConfig(db: Db, config: CommunityConfig, updatedAt: string): Promise<void> {
  await db.doc.send(new PutCommand({ TableName: db.table, Item: communityDirectoryKey(config.id) }));
  await ifCondition(() =>
    db.doc.send(
      new PutCommand({
        TableName: db.table,
        Item: { ...communityKey(config.id), config, updatedAt },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
}

interface StoredMember {
  sk: string;
  id: string;
  bdayPk?: string;
  birthdayChosenPk?: string;
  annivPk?: string;
}

/** A community's members whose month-day keys are the old shared ones, re-keyed under the community. */
async function moveMemberKeys(db: Db, communityId: string, write: boolean): Promise<number> {
  const members = await queryPrefix<StoredMember>(db, membersPk(communityId), MEMBER_SK_PREFIX);
  let moved = 0;
  for (const member of members) {
    const id = member.sk.slice(MEMBER_SK_PREFIX.length);
    const update = new UpdateBuilder();
    const conditions: string[] = [];
    const oldBirthday = member.bdayPk?.startsWith('BDAY#') ? member.bdayPk : undefined;
    const oldAnniversary = member.annivPk?.startsWith('ANNIV#') ? member.annivPk : undefined;
    if (oldBirthday) {
      const keys = birthdayIndexKeys(communityId, id, oldBirthday.slice('BDAY#'.length));
      update.set('bdayPk', keys.bdayPk).set('bdaySk', keys.bdaySk);
      conditions.push(`${update.name('bdayPk')} = ${update.value(oldBirthday)}`);
      if (member.birthdayChosenPk === oldBirthday) update.set('birthdayChosenPk', keys.bdayPk);
    }
    if (oldAnniversary) {
      const keys = anniversaryIndexKeys(communityId, id, oldAnniversary.slice('ANNIV#'.length));
      update.set('annivPk', keys.annivPk).set('annivSk', keys.annivSk);
      conditions.push(`${update.name('annivPk')} = ${update.value(oldAnniversary)}`);
    }
    if (!conditions.length) continue;
    moved++;
    if (write) {
      // Refused when the stack re-keyed the member meanwhile: then its keys are new already.
      await updateItem(db, { pk: membersPk(communityId), sk: member.sk }, update, {
        condition: conditions.join(' AND '),
      });
    }
  }
  return moved;
}

/** A community's pending outbox items still filed under an unsharded due hour, moved to their shard. */
async function movePendingItems(db: Db, communityId: string, now: Date, write: boolean): Promise<number> {
  const items = await queryAll<{ sk: string; id: string; duePk?: string }>(db, {
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': outboxPk(communityId) },
  });
  let moved = 0;
  for (const item of items) {
    if (!item.duePk || !OLD_DUE.test(item.duePk)) continue;
    moved++;
    if (!write) continue;
    // Its shard of the later of its due hour and now: the dispatcher has walked past older hours (their shards
    // were empty) and does not read them again. The sort key (due time, then id) stays.
    const { duePk } = dueIndexKeys(item.id, `${item.duePk.slice('DUE#'.length)}:00:00.000Z`, now.toISOString());
    const update = new UpdateBuilder().set('duePk', duePk);
    const condition = `${update.name('duePk')} = ${update.value(item.duePk)}`;
    // Refused when the item was settled or rescheduled meanwhile (its due keys gone or new).
    await updateItem(db, { pk: outboxPk(communityId), sk: item.sk }, update, { condition });
  }
  return moved;
}
