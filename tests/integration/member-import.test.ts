import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseMemberCsv } from '../../shared/domain/member-csv';
import type { Db } from '../../shared/store/db';
import { ingestEvent } from '../../shared/store/ingest';
import { birthdayPk, memberKey } from '../../shared/store/keys';
import { importMembers } from '../../shared/store/member-import';
import { forgetMember, getMember } from '../../shared/store/members';
import { setPreference } from '../../shared/store/preferences';
import { freshTable } from '../support/dynamo';
import { communityConfig, inboundEvent } from '../support/fixtures';

const COMMUNITY = communityConfig({ id: 'acme' });
const NOW = new Date('2026-11-25T10:00:00.000Z');

let db: Db;

beforeAll(async () => {
  db = await freshTable('import');
});

/** Ids of the members the byBirthday index files under `monthDay`. */
async function birthdaysOn(monthDay: string): Promise<string[]> {
  const result = await db.doc.send(
    new QueryCommand({
      TableName: db.table,
      IndexName: 'byBirthday',
      KeyConditionExpression: 'bdayPk = :pk',
      ExpressionAttributeValues: { ':pk': birthdayPk(COMMUNITY.id, monthDay) },
    }),
  );
  // The index projects keys only; the member id is the table sort key after `M#`.
  return (result.Items ?? []).map((item) => String(item.sk).slice(2)).sort();
}

/** The member item as stored, every attribute. */
async function storedItem(memberId: string) {
  const result = await db.doc.send(new GetCommand({ TableName: db.table, Key: memberKey(COMMUNITY.id, memberId) }));
  return result.Item;
}

describe('Module: member-import', () => {
  describe('Function: importMembers', () => {
    it('creates members with their profile and files their birthdays in the byBirthday index', async () => {
      // Prepare
      const { rows } = parseMemberCsv(
        'id,name,birthday,timezone,locale\nnew-1,Ada,02-29,Europe/London,en-GB\nnew-2,Bo,1990-02-29,,\nnew-3,,,,\n',
      );

      const progress: number[] = [];

      // Act
      const result = await importMembers(db, COMMUNITY.id, rows, NOW, { onRow: (done) => progress.push(done) });

      // Assess
      expect(result).toEqual({ rows: 3, created: 3, updated: 0, forgotten: 0, superseded: 0 });
      // Told once per row written, counting up (what the CLI's progress bar shows).
      expect(progress).toEqual([1, 2, 3]);
      expect(await getMember(db, COMMUNITY.id, 'new-1')).toMatchObject({
        id: 'new-1',
        communityId: 'acme',
        status: 'member',
        firstSeenAt: NOW.toISOString(),
        name: 'Ada',
        birthday: '02-29',
        timezone: 'Europe/London',
        locale: 'en-GB',
      });
      expect(await birthdaysOn('02-29')).toEqual(['new-1', 'new-2']);
      // A row with only an id creates the member and says nothing about their profile.
      const bare = await storedItem('new-3');
      expect(bare).toMatchObject({ id: 'new-3', status: 'member' });
      expect(bare).not.toHaveProperty('profileAt');
    });

    it("keeps a member's own /birthday and /timezone, and takes the name from the file", async () => {
      // Prepare: the member said their birthday and time zone; the spreadsheet disagrees.
      const said = new Date('2026-11-01T08:00:00.000Z');
      await setPreference(db, COMMUNITY.id, 'chose-1', { birthday: '05-06' }, said);
      await setPreference(db, COMMUNITY.id, 'chose-1', { timezone: 'Asia/Tokyo' }, said);
      const { rows } = parseMemberCsv('id,name,birthday,timezone\nchose-1,Chiyo,07-08,Europe/Paris\n');

      // Act
      const result = await importMembers(db, COMMUNITY.id, rows, NOW);

      // Assess
      expect(result).toEqual({ rows: 1, created: 0, updated: 1, forgotten: 0, superseded: 0 });
      expect(await getMember(db, COMMUNITY.id, 'chose-1')).toMatchObject({
        name: 'Chiyo',
        birthday: '05-06',
        timezone: 'Asia/Tokyo',
      });
      expect(await birthdaysOn('05-06')).toContain('chose-1');
      expect(await birthdaysOn('07-08')).not.toContain('chose-1');
    });

    it('writes nothing for a member who asked to be forgotten', async () => {
      // Prepare
      await importMembers(db, COMMUNITY.id, [{ id: 'gone-1', name: 'Dee', birthday: '09-10' }], NOW);
      await forgetMember(db, COMMUNITY.id, 'gone-1', new Date('2026-11-26T00:00:00.000Z'));
      const before = await storedItem('gone-1');

      // Act
      const result = await importMembers(
        db,
        COMMUNITY.id,
        [{ id: 'gone-1', name: 'Dee', birthday: '09-10' }, { id: 'gone-1' }],
        new Date('2026-11-27T00:00:00.000Z'),
      );

      // Assess
      expect(result).toEqual({ rows: 2, created: 0, updated: 0, forgotten: 2, superseded: 0 });
      expect(await storedItem('gone-1')).toEqual(before);
      expect(await birthdaysOn('09-10')).not.toContain('gone-1');
    });

    it('leaves a profile the platform sent after the import time, and counts the row as superseded', async () => {
      // Prepare: a live profile update from after the import's `now`.
      const later = inboundEvent('member.updated', 'newer-1', '2026-11-25T11:00:00.000Z', {
        member: { id: 'newer-1', name: 'Platform name' },
      });
      await ingestEvent(db, COMMUNITY, later);

      // Act
      const result = await importMembers(db, COMMUNITY.id, [{ id: 'newer-1', name: 'Sheet name' }], NOW);

      // Assess
      expect(result).toEqual({ rows: 1, created: 0, updated: 0, forgotten: 0, superseded: 1 });
      expect(await getMember(db, COMMUNITY.id, 'newer-1')).toMatchObject({ name: 'Platform name' });
    });

    it('imports the same file again harmlessly: the same members, nothing created', async () => {
      // Prepare
      const { rows } = parseMemberCsv(
        [
          'id,name,birthday,timezone',
          ...Array.from({ length: 40 }, (_, i) => `again-${i},N${i},11-${10 + (i % 9)},UTC`),
        ].join('\r\n'),
      );
      const first = await importMembers(db, COMMUNITY.id, rows, NOW);
      const before = await Promise.all(rows.map((row) => storedItem(row.id)));

      // Act
      const second = await importMembers(db, COMMUNITY.id, rows, new Date('2026-11-25T12:00:00.000Z'));

      // Assess
      expect(first).toEqual({ rows: 40, created: 40, updated: 0, forgotten: 0, superseded: 0 });
      expect(second).toEqual({ rows: 40, created: 0, updated: 40, forgotten: 0, superseded: 0 });
      const after = await Promise.all(rows.map((row) => storedItem(row.id)));
      const withoutProfileAt = (item: Record<string, unknown> | undefined) => ({ ...item, profileAt: undefined });
      expect(after.map(withoutProfileAt)).toEqual(before.map(withoutProfileAt));
      expect(await birthdaysOn('11-10')).toEqual(['again-0', 'again-18', 'again-27', 'again-36', 'again-9'].sort());
    });
  });
});
