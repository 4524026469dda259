import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { listCommunities, listCommunityIds } from '../../shared/store/communities';
import type { Db } from '../../shared/store/db';
import { memberKey, outboxKey, sweepMarkKey } from '../../shared/store/keys';
import { anniversariesIn, birthdaysIn } from '../../shared/store/members';
import { migrate } from '../../shared/store/migrate';
import { dueInBucket } from '../../shared/store/outbox';
import { freshTable } from '../support/dynamo';
import { communityConfig } from '../support/fixtures';

const NOW = new Date('2026-12-02T06:00:00.000Z');
const ACME = communityConfig({ id: 'acme' });

/** A pending outbox item as the version before filed it: under its unsharded due hour. */
const oldPendingItem = (id: string, dueAt: string) => {
  const [kind, communityId, memberId] = id.split('#');
  return {
    ...outboxKey(communityId, id),
    id,
    communityId,
    kind,
    memberId,
    status: 'pending',
    dueAt,
    duePk: `DUE#${dueAt.slice(0, 13)}`,
    dueSk: `${dueAt}#${id}`,
  };
};

describe('Migration to the per-community layout', () => {
  let db: Db;
  const put = (Item: Record<string, unknown>) => db.doc.send(new PutCommand({ TableName: db.table, Item }));
  const get = async (Key: { pk: string; sk: string }) =>
    (await db.doc.send(new GetCommand({ TableName: db.table, Key }))).Item;

  beforeAll(async () => {
    db = await freshTable('migrate');
    // A table as the version before wrote it.
    await put({ pk: 'COMMUNITY', sk: 'acme', config: ACME, updatedAt: '2026-11-01T00:00:00.000Z' });
    await put({ pk: 'SWEEP', sk: 'winback#acme', through: '2026-12-01' });
    await put({ pk: 'SWEEP', sk: 'birthdays', through: '2026-12-02T06:00:00.000Z' });
    await put({ pk: 'SWEEP', sk: 'holidays#2026-12-25+xmas#acme', through: '2026-12-25' });
    // A config this version refuses (a time zone that is none): named, left behind, the rest moved.
    await put({ pk: 'COMMUNITY', sk: 'broken', config: { ...ACME, id: 'broken', timezone: 'Mars/Olympus' } });
    await put({
      ...memberKey('acme', 'ada'),
      id: 'ada',
      status: 'member',
      birthday: '03-14',
      bdayPk: 'BDAY#03-14',
      bdaySk: 'acme#ada',
      birthdayChosenPk: 'BDAY#03-14',
      annivPk: 'ANNIV#06-01',
      annivSk: 'acme#ada',
    });
    await put(oldPendingItem('welcome#acme#ada#2026-12-02', '2026-12-02T06:30:00.000Z'));
    // Due hours ago, while the dispatcher walked past that hour's (then empty) shards.
    await put(oldPendingItem('winback#acme#bob#2026-11-18+14d', '2026-12-02T03:30:00.000Z'));
  });

  const REFUSED = [{ communityId: 'broken', reason: expect.stringContaining('timezone') }];

  it('counts what it would move on a dry run, and moves nothing', async () => {
    // Act
    const report = await migrate(db, NOW, { dryRun: true });

    // Assess: one config (one refused), the win-back, holiday and shared birthday marks, the member, two items.
    expect(report).toEqual({ communities: 1, marks: 3, members: 1, pendingItems: 2, refused: REFUSED });
    expect(await listCommunityIds(db)).toEqual([]);
  });

  it('moves configs, marks, month-day keys and pending items to where this version reads them', async () => {
    // Act
    const report = await migrate(db, NOW);

    // Assess
    expect(report).toEqual({ communities: 1, marks: 3, members: 1, pendingItems: 2, refused: REFUSED });
    expect(await get(sweepMarkKey('holidays#2026-12-25+xmas', 'acme'))).toMatchObject({ through: '2026-12-25' });
    expect((await listCommunities(db)).map((c) => c.id)).toEqual(['acme']);
    expect(await get(sweepMarkKey('winback', 'acme'))).toMatchObject({ through: '2026-12-01' });
    expect(await get(sweepMarkKey('birthdays', 'acme'))).toMatchObject({ through: '2026-12-02T06:00:00.000Z' });
    expect((await birthdaysIn(db, 'acme', '03-14')).map((m) => m.memberId)).toEqual(['ada']);
    expect((await anniversariesIn(db, 'acme', '06-01')).map((m) => m.memberId)).toEqual(['ada']);
    expect(await get(memberKey('acme', 'ada'))).toMatchObject({ birthdayChosenPk: 'C#acme#BDAY#03-14' });
    // Both in a shard of the hour the dispatcher reads now, the older one first.
    const due = await dueInBucket(db, 'DUE#2026-12-02T06', new Date('2026-12-02T06:31:00.000Z'));
    expect(due.map((item) => item.id)).toEqual(['winback#acme#bob#2026-11-18+14d', 'welcome#acme#ada#2026-12-02']);
  });

  it('finds nothing to move the second time', async () => {
    // Act
    const again = await migrate(db, NOW);

    // Assess
    expect(again).toEqual({ communities: 0, marks: 0, members: 0, pendingItems: 0, refused: REFUSED });
  });
});
