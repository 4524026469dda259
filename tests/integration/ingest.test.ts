import { type DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CommunityConfig } from '../../shared/domain/config';
import type { InboundEvent } from '../../shared/domain/events';
import type { HearthError } from '../../shared/runtime/errors';
import type { Db } from '../../shared/store/db';
import {
  eventKey,
  type IngestOptions,
  ingestEvent as ingestWith,
  LEASE_MS,
  MEMBER_DAY_RETENTION_DAYS,
} from '../../shared/store/ingest';
import { dayPk, lastActivePk, memberKey } from '../../shared/store/keys';
import { forgetMember, getMemberWithTotals } from '../../shared/store/members';
import { ProfileCache } from '../../shared/store/profile-cache';
import { quietSpellDays } from '../../shared/workflows/registry';
import { freshTable } from '../support/dynamo';
import { communityConfig, inboundEvent } from '../support/fixtures';

/** `ingestEvent` as the webhook calls it: with the quiet spell the workflows ask for. */
const ingestEvent = (db: Db, community: CommunityConfig, event: InboundEvent, options: IngestOptions = {}) =>
  ingestWith(db, community, event, { quietSpellDays: quietSpellDays(community), ...options });

const COMMUNITY = communityConfig({ locale: 'zh-CN' });

let db: Db;

beforeAll(async () => {
  db = await freshTable('ingest');
});

const event = inboundEvent;

/** The rows of one day partition of the community. */
async function dayRows(day: string, communityId = COMMUNITY.id) {
  const result = await db.doc.send(
    new QueryCommand({
      TableName: db.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': dayPk(communityId, day) },
    }),
  );
  return result.Items ?? [];
}

const dayRow = async (day: string, memberId: string) => (await dayRows(day)).find((r) => r.memberId === memberId);

async function queryIndex(index: 'byBirthday' | 'byLastActive', partitionKey: string, value: string) {
  const result = await db.doc.send(
    new QueryCommand({
      TableName: db.table,
      IndexName: index,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': partitionKey },
      ExpressionAttributeValues: { ':pk': value },
    }),
  );
  // Both member indexes project keys only; the member id is the table sort key after `M#`.
  return (result.Items ?? []).map((item) => ({ ...item, id: String(item.sk).slice(2) }));
}

describe('Module: ingest', () => {
  describe('Function: ingestEvent (activity)', () => {
    it("creates the member from a message and counts it on the community's day", async () => {
      // Prepare: 17:30Z is 01:30 on the next day in Shanghai.
      const message = event('message.posted', 'm-first', '2026-11-25T17:30:00Z');

      // Act
      const result = await ingestEvent(db, COMMUNITY, message);

      // Assess
      expect(result).toEqual({ duplicate: false, events: [] });
      const member = await getMemberWithTotals(db, COMMUNITY.id, 'm-first');
      expect(member).toMatchObject({
        id: 'm-first',
        communityId: 'acme',
        status: 'member',
        messages: 1,
        lastActiveDay: '2026-11-26',
        firstActiveDay: '2026-11-26',
        activeDays: 1,
        firstSeenAt: '2026-11-25T17:30:00.000Z',
      });
      expect(member?.replies ?? 0).toBe(0);
      const row = await dayRow('2026-11-26', 'm-first');
      expect(row).toMatchObject({ memberId: 'm-first', day: '2026-11-26', messages: 1 });
      expect(row?.ids).toEqual(new Set([eventKey(message.id)]));
      expect(await dayRow('2026-11-25', 'm-first')).toBeUndefined();
    });

    it('never stores the message text', async () => {
      // Prepare
      const message = event('message.posted', 'm-text', '2026-11-25T03:00:00Z', { text: 'a secret plan' });

      // Act
      await ingestEvent(db, COMMUNITY, message);

      // Assess
      const member = await getMemberWithTotals(db, COMMUNITY.id, 'm-text');
      const row = await dayRow('2026-11-25', 'm-text');
      expect(JSON.stringify(member)).not.toContain('a secret plan');
      expect(JSON.stringify({ ...row, ids: [...((row?.ids as Set<string> | undefined) ?? [])] })).not.toContain(
        'a secret plan',
      );
      expect(row).toBeDefined();
    });

    it('counts a reply as a message and a reply', async () => {
      // Prepare
      const reply = event('message.posted', 'm-reply', '2026-11-25T03:00:00Z', { replyTo: 'm-first' });

      // Act
      await ingestEvent(db, COMMUNITY, reply);

      // Assess
      expect(await getMemberWithTotals(db, COMMUNITY.id, 'm-reply')).toMatchObject({ messages: 1, replies: 1 });
      expect(await dayRow('2026-11-25', 'm-reply')).toMatchObject({ messages: 1, replies: 1 });
    });

    it('counts a reaction as a reaction, and it is activity', async () => {
      // Prepare
      const reaction = event('reaction.added', 'm-react', '2026-11-25T03:00:00Z', { toMemberId: 'm-first' });

      // Act
      await ingestEvent(db, COMMUNITY, reaction);

      // Assess
      const member = await getMemberWithTotals(db, COMMUNITY.id, 'm-react');
      expect(member).toMatchObject({ reactions: 1, lastActiveDay: '2026-11-25' });
      expect(member?.messages ?? 0).toBe(0);
      expect(await dayRow('2026-11-25', 'm-react')).toMatchObject({ reactions: 1 });
    });

    it('counts nothing for a command, and its duplicate is still a duplicate', async () => {
      // Prepare
      const command = event('message.posted', 'm-cmd', '2026-11-25T03:00:00Z', { text: '/birthday 03-14' });

      // Act
      const first = await ingestEvent(db, COMMUNITY, command);
      const again = await ingestEvent(db, COMMUNITY, command);

      // Assess
      expect(first.duplicate).toBe(false);
      expect(again).toEqual({ duplicate: true, events: [] });
      const member = await getMemberWithTotals(db, COMMUNITY.id, 'm-cmd');
      expect(member?.messages ?? 0).toBe(0);
      expect(member?.replies ?? 0).toBe(0);
      expect(member?.lastActiveDay).toBeUndefined();
      const row = await dayRow('2026-11-25', 'm-cmd');
      expect(row?.messages ?? 0).toBe(0);
    });

    it('applies the same event twice only once', async () => {
      // Prepare
      const message = event('message.posted', 'm-dup', '2026-11-25T03:00:00Z', { replyTo: 'm-first' });
      await ingestEvent(db, COMMUNITY, message);

      // Act
      const again = await ingestEvent(db, COMMUNITY, message);

      // Assess
      expect(again).toEqual({ duplicate: true, events: [] });
      expect(await getMemberWithTotals(db, COMMUNITY.id, 'm-dup')).toMatchObject({ messages: 1, replies: 1 });
      expect(await dayRow('2026-11-25', 'm-dup')).toMatchObject({ messages: 1, replies: 1 });
    });

    it('applies exactly one of 20 concurrent copies of an event', async () => {
      // Prepare
      const message = event('message.posted', 'm-race', '2026-11-25T03:00:00Z');

      // Act
      const results = await Promise.all(Array.from({ length: 20 }, () => ingestEvent(db, COMMUNITY, message)));

      // Assess
      expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
      expect(results.filter((r) => r.duplicate)).toHaveLength(19);
      expect(await getMemberWithTotals(db, COMMUNITY.id, 'm-race')).toMatchObject({ messages: 1 });
      expect(await dayRow('2026-11-25', 'm-race')).toMatchObject({ messages: 1 });
    });

    it('counts distinct events of one member on one day, each once', async () => {
      // Prepare
      const events = [
        event('message.posted', 'm-many', '2026-11-25T01:00:00Z'),
        event('message.posted', 'm-many', '2026-11-25T02:00:00Z', { replyTo: 'm-first' }),
        event('reaction.added', 'm-many', '2026-11-25T03:00:00Z'),
      ];

      // Act
      await Promise.all(events.map((e) => ingestEvent(db, COMMUNITY, e)));

      // Assess
      expect(await getMemberWithTotals(db, COMMUNITY.id, 'm-many')).toMatchObject({
        messages: 2,
        replies: 1,
        reactions: 1,
      });
      const row = await dayRow('2026-11-25', 'm-many');
      expect(row).toMatchObject({ messages: 2, replies: 1, reactions: 1 });
      expect(row?.ids).toEqual(new Set(events.map((e) => eventKey(e.id))));
    });

    it('keeps the latest day last and lowers the first day for activity out of order', async () => {
      // Prepare
      const d3 = event('message.posted', 'm-order', '2026-11-03T04:00:00Z');
      const d1 = event('message.posted', 'm-order', '2026-11-01T04:00:00Z');
      await ingestEvent(db, COMMUNITY, d3);

      // Act
      const late = await ingestEvent(db, COMMUNITY, d1);

      // Assess
      expect(late).toEqual({ duplicate: false, events: [] });
      expect(await getMemberWithTotals(db, COMMUNITY.id, 'm-order')).toMatchObject({
        lastActiveDay: '2026-11-03',
        firstActiveDay: '2026-11-01',
        messages: 2,
      });
      expect(await dayRow('2026-11-01', 'm-order')).toMatchObject({ messages: 1 });
      expect(await dayRow('2026-11-03', 'm-order')).toMatchObject({ messages: 1 });
      const lastOnD3 = await queryIndex('byLastActive', 'idlePk', lastActivePk(COMMUNITY.id, '2026-11-03'));
      const lastOnD1 = await queryIndex('byLastActive', 'idlePk', lastActivePk(COMMUNITY.id, '2026-11-01'));
      expect(lastOnD3.map((m) => m.id)).toContain('m-order');
      expect(lastOnD1.map((m) => m.id)).not.toContain('m-order');
    });
  });

  describe('Function: ingestEvent (quiet spells)', () => {
    it('emits member.reactivated after 19 quiet days', async () => {
      // Prepare
      await ingestEvent(db, COMMUNITY, event('message.posted', 'm-quiet', '2026-10-01T04:00:00Z'));
      const back = event('message.posted', 'm-quiet', '2026-10-20T04:00:00Z');

      // Act
      const result = await ingestEvent(db, COMMUNITY, back);

      // Assess
      expect(result.events).toEqual([
        {
          type: 'member.reactivated',
          communityId: 'acme',
          memberId: 'm-quiet',
          occurredAt: '2026-10-20T04:00:00.000Z',
          sourceEventId: back.id,
          quietDays: 19,
        },
      ]);
    });

    it('emits nothing for a second message on the same day', async () => {
      // Prepare: back after 19 quiet days, then active again later that day.
      await ingestEvent(db, COMMUNITY, event('message.posted', 'm-quiet2', '2026-10-01T04:00:00Z'));
      await ingestEvent(db, COMMUNITY, event('message.posted', 'm-quiet2', '2026-10-20T04:00:00Z'));

      // Act
      const result = await ingestEvent(db, COMMUNITY, event('message.posted', 'm-quiet2', '2026-10-20T05:00:00Z'));

      // Assess
      expect(result).toEqual({ duplicate: false, events: [] });
      expect(await getMemberWithTotals(db, COMMUNITY.id, 'm-quiet2')).toMatchObject({ messages: 3 });
    });

    it('emits one reactivation for a return day that starts with a reaction and goes on with a message', async () => {
      // Prepare
      await ingestEvent(db, COMMUNITY, event('message.posted', 'm-mixed', '2026-10-01T04:00:00Z'));
      const reaction = await ingestEvent(db, COMMUNITY, event('reaction.added', 'm-mixed', '2026-10-20T04:00:00Z'));

      // Act
      const message = await ingestEvent(db, COMMUNITY, event('message.posted', 'm-mixed', '2026-10-20T05:00:00Z'));

      // Assess
      expect(reaction.events.map((e) => e.type)).toEqual(['member.reactivated']);
      expect(message.events).toEqual([]);
      expect(await getMemberWithTotals(db, COMMUNITY.id, 'm-mixed')).toMatchObject({
        messages: 2,
        reactions: 1,
        lastActiveDay: '2026-10-20',
        activeDays: 2,
      });
    });

    it('emits nothing after 3 quiet days', async () => {
      // Prepare
      await ingestEvent(db, COMMUNITY, event('message.posted', 'm-busy', '2026-10-01T04:00:00Z'));

      // Act
      const result = await ingestEvent(db, COMMUNITY, event('reaction.added', 'm-busy', '2026-10-04T04:00:00Z'));

      // Assess
      expect(result.events).toEqual([]);
      expect(await getMemberWithTotals(db, COMMUNITY.id, 'm-busy')).toMatchObject({ lastActiveDay: '2026-10-04' });
    });

    it('uses the first win-back rung as the threshold: 14 days yes, 13 no', async () => {
      // Prepare
      await ingestEvent(db, COMMUNITY, event('message.posted', 'm-14', '2026-10-01T04:00:00Z'));
      await ingestEvent(db, COMMUNITY, event('message.posted', 'm-13', '2026-10-01T04:00:00Z'));

      // Act
      const fourteen = await ingestEvent(db, COMMUNITY, event('message.posted', 'm-14', '2026-10-15T04:00:00Z'));
      const thirteen = await ingestEvent(db, COMMUNITY, event('message.posted', 'm-13', '2026-10-14T04:00:00Z'));

      // Assess
      expect(fourteen.events.map((e) => [e.type, e.quietDays])).toEqual([['member.reactivated', 14]]);
      expect(thirteen.events).toEqual([]);
    });

    it('does not treat a late, older message as a return from silence', async () => {
      // Prepare
      await ingestEvent(db, COMMUNITY, event('message.posted', 'm-late', '2026-10-30T04:00:00Z'));

      // Act
      const result = await ingestEvent(db, COMMUNITY, event('message.posted', 'm-late', '2026-10-01T04:00:00Z'));

      // Assess
      expect(result.events).toEqual([]);
      expect(await getMemberWithTotals(db, COMMUNITY.id, 'm-late')).toMatchObject({
        lastActiveDay: '2026-10-30',
        firstActiveDay: '2026-10-01',
      });
    });
  });

  describe('Function: ingestEvent (lifecycle)', () => {
    it('joins, leaves and rejoins a member, with a domain event for each', async () => {
      // Prepare
      const join = event('member.joined', 'm-life', '2026-11-25T02:00:00Z', { referralCode: 'REF-7' });
      const leave = event('member.left', 'm-life', '2026-11-27T02:00:00Z');
      const rejoin = event('member.joined', 'm-life', '2026-11-29T02:00:00Z');

      // Act + Assess: the join
      const joined = await ingestEvent(db, COMMUNITY, join);
      expect(joined.events).toEqual([
        {
          type: 'member.joined',
          communityId: 'acme',
          memberId: 'm-life',
          occurredAt: '2026-11-25T02:00:00.000Z',
          sourceEventId: join.id,
          referralCode: 'REF-7',
        },
      ]);
      expect(await getMemberWithTotals(db, COMMUNITY.id, 'm-life')).toMatchObject({
        status: 'member',
        joinedAt: '2026-11-25T02:00:00.000Z',
        firstJoinedAt: '2026-11-25T02:00:00.000Z',
        joins: 1,
        referralCode: 'REF-7',
      });
      expect(await dayRow('2026-11-25', 'm-life')).toMatchObject({ joins: 1 });
      expect((await getMemberWithTotals(db, COMMUNITY.id, 'm-life'))?.lastActiveDay).toBeUndefined();

      // Act + Assess: the leave
      const left = await ingestEvent(db, COMMUNITY, leave);
      expect(left.events.map((e) => e.type)).toEqual(['member.left']);
      expect(await getMemberWithTotals(db, COMMUNITY.id, 'm-life')).toMatchObject({
        status: 'left',
        leftAt: '2026-11-27T02:00:00.000Z',
        leaves: 1,
      });
      expect(await dayRow('2026-11-27', 'm-life')).toMatchObject({ leaves: 1 });

      // Act + Assess: the rejoin
      const rejoined = await ingestEvent(db, COMMUNITY, rejoin);
      expect(rejoined.events.map((e) => e.type)).toEqual(['member.joined']);
      expect(await getMemberWithTotals(db, COMMUNITY.id, 'm-life')).toMatchObject({
        status: 'member',
        joinedAt: '2026-11-29T02:00:00.000Z',
        firstJoinedAt: '2026-11-25T02:00:00.000Z',
        joins: 2,
        leaves: 1,
      });
    });

    it('keeps a member who left before a late, older join as left', async () => {
      // Prepare
      const t1 = '2026-11-20T02:00:00Z';
      const t2 = '2026-11-22T02:00:00Z';
      const leftEarly = await ingestEvent(db, COMMUNITY, event('member.left', 'm-ooo', t2));

      // Act
      const lateJoin = await ingestEvent(db, COMMUNITY, event('member.joined', 'm-ooo', t1));

      // Assess
      expect(leftEarly.events.map((e) => e.type)).toEqual(['member.left']);
      expect(lateJoin).toMatchObject({ duplicate: false, events: [] });
      expect(await getMemberWithTotals(db, COMMUNITY.id, 'm-ooo')).toMatchObject({
        status: 'left',
        joins: 1,
        leaves: 1,
        firstJoinedAt: '2026-11-20T02:00:00.000Z',
        leftAt: '2026-11-22T02:00:00.000Z',
      });
      expect(await dayRow('2026-11-20', 'm-ooo')).toMatchObject({ joins: 1 });
    });

    it('keeps a member who rejoined as member when an older leave arrives late', async () => {
      // Prepare
      await ingestEvent(db, COMMUNITY, event('member.joined', 'm-ooo2', '2026-11-20T02:00:00Z'));
      await ingestEvent(db, COMMUNITY, event('member.joined', 'm-ooo2', '2026-11-24T02:00:00Z'));

      // Act
      const lateLeave = await ingestEvent(db, COMMUNITY, event('member.left', 'm-ooo2', '2026-11-22T02:00:00Z'));

      // Assess
      expect(lateLeave.events).toEqual([]);
      expect(await getMemberWithTotals(db, COMMUNITY.id, 'm-ooo2')).toMatchObject({
        status: 'member',
        joinedAt: '2026-11-24T02:00:00.000Z',
        firstJoinedAt: '2026-11-20T02:00:00.000Z',
        joins: 2,
        leaves: 1,
      });
    });

    it('lowers firstJoinedAt for a late, older join', async () => {
      // Prepare
      await ingestEvent(db, COMMUNITY, event('member.joined', 'm-first-join', '2026-11-24T02:00:00Z'));

      // Act
      const late = await ingestEvent(db, COMMUNITY, event('member.joined', 'm-first-join', '2026-11-10T02:00:00Z'));

      // Assess
      expect(late.events).toEqual([]);
      expect(await getMemberWithTotals(db, COMMUNITY.id, 'm-first-join')).toMatchObject({
        joinedAt: '2026-11-24T02:00:00.000Z',
        firstJoinedAt: '2026-11-10T02:00:00.000Z',
      });
    });
  });

  describe('Function: ingestEvent (profile and indexes)', () => {
    it('indexes a birthday by month-day and the member by last-active day', async () => {
      // Prepare
      const message = event('message.posted', 'm-bday', '2026-11-25T17:30:00Z', {
        member: { id: 'm-bday', name: 'Ada', birthday: '1990-03-14' },
      });

      // Act
      await ingestEvent(db, COMMUNITY, message);

      // Assess
      const member = await getMemberWithTotals(db, COMMUNITY.id, 'm-bday');
      expect(member).toMatchObject({ birthday: '1990-03-14', bdayPk: 'C#acme#BDAY#03-14', bdaySk: 'm-bday' });
      const birthdays = await queryIndex('byBirthday', 'bdayPk', 'C#acme#BDAY#03-14');
      expect(birthdays.map((m) => m.id)).toContain('m-bday');
      const lastActive = await queryIndex('byLastActive', 'idlePk', lastActivePk(COMMUNITY.id, '2026-11-26'));
      expect(lastActive.map((m) => m.id)).toContain('m-bday');
    });

    it('moves a member in the byLastActive index as they stay active', async () => {
      // Prepare
      await ingestEvent(db, COMMUNITY, event('message.posted', 'm-idle', '2026-09-01T04:00:00Z'));

      // Act
      await ingestEvent(db, COMMUNITY, event('message.posted', 'm-idle', '2026-09-05T04:00:00Z'));

      // Assess
      const before = await queryIndex('byLastActive', 'idlePk', lastActivePk(COMMUNITY.id, '2026-09-01'));
      const after = await queryIndex('byLastActive', 'idlePk', lastActivePk(COMMUNITY.id, '2026-09-05'));
      expect(before.map((m) => m.id)).not.toContain('m-idle');
      expect(after.map((m) => m.id)).toContain('m-idle');
    });

    it('stores a profile update and emits member.updated', async () => {
      // Prepare
      const update = event('member.updated', 'm-profile', '2026-11-25T03:00:00Z', {
        member: {
          id: 'm-profile',
          name: 'Grace',
          birthday: '02-29',
          timezone: 'Europe/Berlin',
          locale: 'de',
          isStaff: true,
        },
      });

      // Act
      const result = await ingestEvent(db, COMMUNITY, update);

      // Assess
      expect(result.events).toEqual([
        {
          type: 'member.updated',
          communityId: 'acme',
          memberId: 'm-profile',
          occurredAt: '2026-11-25T03:00:00.000Z',
          sourceEventId: update.id,
        },
      ]);
      expect(await getMemberWithTotals(db, COMMUNITY.id, 'm-profile')).toMatchObject({
        name: 'Grace',
        birthday: '02-29',
        timezone: 'Europe/Berlin',
        locale: 'de',
        isStaff: true,
        bdayPk: 'C#acme#BDAY#02-29',
      });
    });

    it('emits no member.updated for an update that carries no profile', async () => {
      // Act
      const result = await ingestEvent(db, COMMUNITY, event('member.updated', 'm-bare', '2026-11-25T03:00:00Z'));

      // Assess
      expect(result).toMatchObject({ duplicate: false, events: [] });
    });

    it('keeps profile fields an event leaves out', async () => {
      // Prepare
      await ingestEvent(
        db,
        COMMUNITY,
        event('member.updated', 'm-keep', '2026-11-25T03:00:00Z', { member: { id: 'm-keep', name: 'Lin' } }),
      );

      // Act
      await ingestEvent(db, COMMUNITY, event('message.posted', 'm-keep', '2026-11-25T04:00:00Z'));

      // Assess
      expect(await getMemberWithTotals(db, COMMUNITY.id, 'm-keep')).toMatchObject({ name: 'Lin', messages: 1 });
    });
  });

  describe('Function: ingestEvent (a failure between its writes)', () => {
    /**
     * The real table behind a client that fails the first update of one member
     * item, as a throttle or a timeout would, after the day row was written.
     */
    function failingMemberWriteOnce(memberId: string): Db {
      let failed = false;
      const target = memberKey(COMMUNITY.id, memberId);
      const send = (command: unknown) => {
        const key = command instanceof UpdateCommand ? command.input.Key : undefined;
        if (!failed && key?.pk === target.pk && key?.sk === target.sk) {
          failed = true;
          return Promise.reject(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
        }
        return db.doc.send(command as UpdateCommand);
      };
      return { table: db.table, doc: { send } as unknown as DynamoDBDocumentClient };
    }

    // The webhook answers 500 when ingest throws, and the platform retries the
    // same event; the retry must finish the work, not be dropped as a duplicate.
    it('applies the member update when the event is retried after the member write failed', async () => {
      // Prepare
      const join = event('member.joined', 'm-retry', '2026-11-25T02:00:00Z', { referralCode: 'REF-9' });
      await expect(ingestEvent(failingMemberWriteOnce('m-retry'), COMMUNITY, join)).rejects.toThrow('Rate exceeded');

      // Act
      const retry = await ingestEvent(db, COMMUNITY, join);

      // Assess
      expect(await getMemberWithTotals(db, COMMUNITY.id, 'm-retry')).toMatchObject({ status: 'member', joins: 1 });
      expect(retry.events.map((e) => e.type)).toEqual(['member.joined']);
      expect(await dayRow('2026-11-25', 'm-retry')).toMatchObject({ joins: 1 });
    });

    it('counts a message once when it is retried after its member write failed', async () => {
      // Prepare
      const message = event('message.posted', 'm-retry-msg', '2026-11-25T02:00:00Z');
      await expect(ingestEvent(failingMemberWriteOnce('m-retry-msg'), COMMUNITY, message)).rejects.toThrow(
        'Rate exceeded',
      );

      // Act
      const retry = await ingestEvent(db, COMMUNITY, message);
      const again = await ingestEvent(db, COMMUNITY, message);

      // Assess
      expect(retry.duplicate).toBe(false);
      expect(again.duplicate).toBe(true);
      expect(await getMemberWithTotals(db, COMMUNITY.id, 'm-retry-msg')).toMatchObject({
        messages: 1,
        lastActiveDay: '2026-11-25',
      });
      const row = await dayRow('2026-11-25', 'm-retry-msg');
      expect(row).toMatchObject({ messages: 1 });
      expect(row?.ids).toEqual(new Set([eventKey(message.id)]));
    });

    it('marks a lifecycle event done only when told, and a finished one is a plain duplicate', async () => {
      // Prepare
      const join = event('member.joined', 'm-done', '2026-11-25T02:00:00Z');
      const first = await ingestEvent(db, COMMUNITY, join);

      // Act
      await first.complete?.();
      const retry = await ingestEvent(db, COMMUNITY, join);

      // Assess
      expect(first.events.map((e) => e.type)).toEqual(['member.joined']);
      expect(retry).toEqual({ duplicate: true, events: [] });
      expect(Object.keys((await dayRow('2026-11-25', 'm-done')) ?? {}).filter((k) => k.startsWith('pending_'))).toEqual(
        [],
      );
      expect(await getMemberWithTotals(db, COMMUNITY.id, 'm-done')).toMatchObject({ joins: 1 });
    });

    describe('Function: ingestEvent (write budget)', () => {
      /** The real table behind a client that counts the writes sent to it. */
      function counting(): { db: Db; writes: Array<{ pk: string; sk: string }> } {
        const writes: Array<{ pk: string; sk: string }> = [];
        const send = (command: unknown) => {
          if (command instanceof UpdateCommand) writes.push(command.input.Key as { pk: string; sk: string });
          return db.doc.send(command as UpdateCommand);
        };
        return { db: { table: db.table, doc: { send } as unknown as DynamoDBDocumentClient }, writes };
      }

      it('writes the member on the first message of a day and only the day row after that', async () => {
        // Prepare
        const { db: watched, writes } = counting();
        const profiles = new ProfileCache();
        const now = new Date('2026-11-25T06:00:00Z');
        const member = { id: 'm-budget', name: 'Ada' };

        // Act
        await ingestEvent(watched, COMMUNITY, event('message.posted', 'm-budget', '2026-11-25T05:00:00Z', { member }), {
          profiles,
          now,
        });
        const afterFirst = writes.length;
        await ingestEvent(watched, COMMUNITY, event('message.posted', 'm-budget', '2026-11-25T05:01:00Z', { member }), {
          profiles,
          now,
        });
        await ingestEvent(watched, COMMUNITY, event('reaction.added', 'm-budget', '2026-11-25T05:02:00Z', { member }), {
          profiles,
          now,
        });
        const afterRepeats = writes.length;
        await ingestEvent(
          watched,
          COMMUNITY,
          event('message.posted', 'm-budget', '2026-11-25T05:03:00Z', { member: { id: 'm-budget', name: 'Ada L.' } }),
          { profiles, now },
        );

        // Assess
        // A member never seen before: the day row, the member, and the community's membership count.
        expect(afterFirst).toBe(3);
        expect(writes[2].pk).toBe(`C#${COMMUNITY.id}#MEMBERS`);
        expect(afterRepeats - afterFirst).toBe(2);
        expect(
          writes.slice(afterFirst, afterRepeats).every((key) => key.sk === 'M#m-budget' && key.pk.includes('#D#')),
        ).toBe(true);
        expect(writes.length - afterRepeats).toBe(2);
        expect(await getMemberWithTotals(db, COMMUNITY.id, 'm-budget')).toMatchObject({
          name: 'Ada L.',
          messages: 3,
          reactions: 1,
          activeDays: 1,
        });
      });

      it('sums a member over their days through the byMemberDay index', async () => {
        // Prepare
        for (const at of [
          '2026-09-01T04:00:00Z',
          '2026-09-01T05:00:00Z',
          '2026-09-03T04:00:00Z',
          '2026-09-09T04:00:00Z',
        ]) {
          await ingestEvent(db, COMMUNITY, event('message.posted', 'm-sum', at, { replyTo: 'someone' }));
        }
        await ingestEvent(db, COMMUNITY, event('reaction.added', 'm-sum', '2026-09-10T04:00:00Z'));
        await ingestEvent(db, COMMUNITY, event('member.joined', 'm-sum', '2026-09-11T04:00:00Z'));

        // Act
        const member = await getMemberWithTotals(db, COMMUNITY.id, 'm-sum');

        // Assess: a join is not activity, so its day is not an active day.
        expect(member).toMatchObject({ messages: 4, replies: 4, reactions: 1, activeDays: 4, joins: 1 });
      });
    });

    describe('Function: ingestEvent (copies, leases and history)', () => {
      it('applies one of 8 concurrent copies of a join; the others are told to retry while it is in flight', async () => {
        // Prepare
        const join = event('member.joined', 'm-copies', '2026-11-25T02:00:00Z');
        const now = new Date('2026-11-25T02:00:01Z');

        // Act
        const results = await Promise.allSettled(
          Array.from({ length: 8 }, () => ingestEvent(db, COMMUNITY, join, { now })),
        );
        const applied = results.flatMap((r) => (r.status === 'fulfilled' && !r.value.duplicate ? [r.value] : []));
        await applied[0]?.complete?.();
        const afterDone = await ingestEvent(db, COMMUNITY, join, { now });

        // Assess
        expect(applied).toHaveLength(1);
        expect(applied[0].events.map((e) => e.type)).toEqual(['member.joined']);
        const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as HearthError] : []));
        expect(refused).toHaveLength(7);
        expect(refused.every((e) => e.statusCode === 503)).toBe(true);
        expect(afterDone).toEqual({ duplicate: true, events: [] });
        expect(await getMemberWithTotals(db, COMMUNITY.id, 'm-copies')).toMatchObject({ joins: 1, status: 'member' });
      });

      it('lets a copy finish a join whose first delivery died, once its lease has expired', async () => {
        // Prepare: the member write fails and the process dies before it can release its lease.
        const join = event('member.joined', 'm-died', '2026-11-25T02:00:00Z');
        const t0 = new Date('2026-11-25T02:00:01Z');
        const dead: Db = {
          table: db.table,
          doc: {
            send: (command: unknown) => {
              const input = (command as UpdateCommand).input;
              const memberWrite = input.Key?.sk === 'M#m-died' && String(input.Key?.pk) === `C#${COMMUNITY.id}`;
              // The release sets the lease attribute to 0.
              const lease = Object.values(input.ExpressionAttributeNames ?? {}).some((n) => n.startsWith('pending_'));
              const release = lease && input.ExpressionAttributeValues?.[':v0'] === 0;
              if (memberWrite || release) return Promise.reject(new Error('process died'));
              return db.doc.send(command as UpdateCommand);
            },
          } as unknown as DynamoDBDocumentClient,
        };
        await expect(ingestEvent(dead, COMMUNITY, join, { now: t0 })).rejects.toThrow('process died');

        // Act
        const early = await ingestEvent(db, COMMUNITY, join, { now: new Date(t0.getTime() + 10_000) }).catch(
          (error: HearthError) => error.statusCode,
        );
        const late = await ingestEvent(db, COMMUNITY, join, { now: new Date(t0.getTime() + LEASE_MS + 1_000) });
        await late.complete?.();
        const after = await ingestEvent(db, COMMUNITY, join, { now: new Date(t0.getTime() + 2 * LEASE_MS) });

        // Assess
        // Within the lease the first delivery may still be working: the copy is told to come back.
        expect(early).toBe(503);
        expect(late.duplicate).toBe(false);
        expect(late.events.map((e) => e.type)).toEqual(['member.joined']);
        expect(after).toEqual({ duplicate: true, events: [] });
        expect(await getMemberWithTotals(db, COMMUNITY.id, 'm-died')).toMatchObject({ status: 'member', joins: 1 });
      });

      it('keeps the current profile when history arrives, and fills only what is empty', async () => {
        // Prepare
        const now = new Date('2026-11-25T08:00:00Z');
        await ingestEvent(
          db,
          COMMUNITY,
          event('message.posted', 'm-hist', '2026-11-25T07:00:00Z', { member: { id: 'm-hist', name: 'New Name' } }),
          { now },
        );

        // Act: an import of 2020 history, with the name of that time and a birthday never given since.
        await ingestEvent(
          db,
          COMMUNITY,
          event('message.posted', 'm-hist', '2020-05-01T07:00:00Z', {
            member: { id: 'm-hist', name: 'Old Name', birthday: '05-17' },
          }),
          { now },
        );

        // Assess
        expect(await getMemberWithTotals(db, COMMUNITY.id, 'm-hist')).toMatchObject({
          name: 'New Name',
          birthday: '05-17',
          bdayPk: 'C#acme#BDAY#05-17',
          messages: 2,
          lastActiveDay: '2026-11-25',
          firstActiveDay: '2020-05-01',
        });
      });

      it('never takes imported history for a return from a quiet spell', async () => {
        // Prepare
        const now = new Date('2026-11-25T08:00:00Z');
        await ingestEvent(db, COMMUNITY, event('message.posted', 'm-old', '2019-01-01T04:00:00Z'), { now });

        // Act
        const result = await ingestEvent(db, COMMUNITY, event('message.posted', 'm-old', '2019-02-01T04:00:00Z'), {
          now,
        });

        // Assess
        expect(result.events).toEqual([]);
        expect(await getMemberWithTotals(db, COMMUNITY.id, 'm-old')).toMatchObject({ lastActiveDay: '2019-02-01' });
      });

      it('keeps a day row of imported history for the retention period from its receipt', async () => {
        // Prepare
        const now = new Date('2026-11-25T08:00:00Z');

        // Act
        await ingestEvent(db, COMMUNITY, event('message.posted', 'm-ttl', '2019-01-01T04:00:00Z'), { now });

        // Assess
        const row = await dayRow('2019-01-01', 'm-ttl');
        expect(row?.expiresAt).toBe(Math.floor(now.getTime() / 1000) + MEMBER_DAY_RETENTION_DAYS * 86_400);
      });
    });

    it('writes no profile again for a member who asked to be forgotten, and still counts them', async () => {
      // Prepare
      const now = new Date('2026-11-25T08:00:00Z');
      const ada = { id: 'm-forgot', name: 'Ada', birthday: '03-14' };
      await ingestEvent(db, COMMUNITY, event('message.posted', 'm-forgot', '2026-11-24T07:00:00Z', { member: ada }), {
        now,
      });
      expect(await forgetMember(db, COMMUNITY.id, 'm-forgot', now)).toBe(true);

      // Act: the platform goes on sending the member's profile with each event.
      const message = await ingestEvent(
        db,
        COMMUNITY,
        event('message.posted', 'm-forgot', '2026-11-25T07:00:00Z', { member: ada }),
        { now },
      );
      const update = await ingestEvent(
        db,
        COMMUNITY,
        event('member.updated', 'm-forgot', '2026-11-25T07:30:00Z', { member: { id: 'm-forgot', name: 'Ada L.' } }),
        { now },
      );

      // Assess
      const member = await getMemberWithTotals(db, COMMUNITY.id, 'm-forgot');
      expect(member).toMatchObject({ messages: 2, lastActiveDay: '2026-11-25', optedOut: true });
      expect(member?.name).toBeUndefined();
      expect(member?.birthday).toBeUndefined();
      expect(member).not.toHaveProperty('bdayPk');
      expect(message.events).toEqual([]);
      expect(update.events).toEqual([]);
    });

    it('lets the retry of a failed first message of the day write the last active day, though another message came in between', async () => {
      // Prepare: last active 10-01; A is the first message of 10-20, and B lands while A's member write fails.
      const now = new Date('2026-10-20T05:00:00Z');
      await ingestEvent(db, COMMUNITY, event('message.posted', 'm-between', '2026-10-01T04:00:00Z'), { now });
      const a = event('message.posted', 'm-between', '2026-10-20T04:00:00Z');
      const b = event('message.posted', 'm-between', '2026-10-20T04:00:01Z');
      let interleaved: Awaited<ReturnType<typeof ingestEvent>> | undefined;
      const flaky: Db = {
        table: db.table,
        doc: {
          send: async (command: unknown) => {
            const input = (command as UpdateCommand).input;
            if (!interleaved && input.Key?.sk === 'M#m-between' && input.Key?.pk === `C#${COMMUNITY.id}`) {
              interleaved = await ingestEvent(db, COMMUNITY, b, { now });
              throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
            }
            return db.doc.send(command as UpdateCommand);
          },
        } as unknown as DynamoDBDocumentClient,
      };
      await expect(ingestEvent(flaky, COMMUNITY, a, { now })).rejects.toThrow('Rate exceeded');

      // Act
      const retry = await ingestEvent(db, COMMUNITY, a, { now });

      // Assess
      expect(interleaved?.events).toEqual([]);
      expect(retry.events.map((e) => e.type)).toEqual(['member.reactivated']);
      expect(await getMemberWithTotals(db, COMMUNITY.id, 'm-between')).toMatchObject({
        lastActiveDay: '2026-10-20',
        messages: 3,
      });
    });

    it('keeps a newer profile when an older live event arrives late, and still counts that event', async () => {
      // Prepare
      const now = new Date('2026-11-25T10:05:00Z');
      await ingestEvent(
        db,
        COMMUNITY,
        event('message.posted', 'm-late-profile', '2026-11-25T10:00:00Z', {
          member: { id: 'm-late-profile', name: 'New' },
        }),
        { now },
      );

      // Act
      const late = await ingestEvent(
        db,
        COMMUNITY,
        event('member.updated', 'm-late-profile', '2026-11-25T09:59:00Z', {
          member: { id: 'm-late-profile', name: 'Old' },
        }),
        { now },
      );
      await late.complete?.();

      // Assess
      expect(late.events).toEqual([]);
      expect(await getMemberWithTotals(db, COMMUNITY.id, 'm-late-profile')).toMatchObject({
        name: 'New',
        profileAt: '2026-11-25T10:00:00.000Z',
        messages: 1,
      });
    });
  });
});
