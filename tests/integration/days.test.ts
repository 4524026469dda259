import { beforeAll, describe, expect, it } from 'vitest';
import type { InboundEvent } from '../../shared/domain/events';
import { dayTotals } from '../../shared/store/days';
import type { Db } from '../../shared/store/db';
import { ingestEvent } from '../../shared/store/ingest';
import { freshTable } from '../support/dynamo';
import { communityConfig, inboundEvent } from '../support/fixtures';

const COMMUNITY = communityConfig({ timezone: 'America/New_York' });
let db: Db;
const event = (type: InboundEvent['type'], member: string, occurredAt: string, extra: Record<string, unknown> = {}) =>
  inboundEvent(type, member, occurredAt, type === 'reaction.added' ? { toMemberId: 'ada', ...extra } : extra);

beforeAll(async () => {
  db = await freshTable('days');
});

describe('Function: dayTotals', () => {
  it("sums a community's day in its own time zone: messages, replies, reactions, DAU, joins and leaves", async () => {
    // Prepare: 2026-03-08 in New York runs from 05:00Z to 04:00Z the next day (DST starts that night).
    const events = [
      event('member.joined', 'bo', '2026-03-08T05:10:00Z'),
      event('message.posted', 'ada', '2026-03-08T06:00:00Z'),
      event('message.posted', 'ada', '2026-03-08T07:30:00Z', { replyTo: 'bo' }),
      event('reaction.added', 'bo', '2026-03-09T03:59:00Z'),
      event('member.left', 'cy', '2026-03-08T12:00:00Z'),
      event('message.posted', 'ada', '2026-03-08T04:59:00Z'), // the day before, in New York
      event('message.posted', 'dan', '2026-03-08T08:00:00Z', { text: '/optout' }), // a command: not activity
    ];
    for (const e of events) await ingestEvent(db, COMMUNITY, e);
    await ingestEvent(db, COMMUNITY, events[1]); // a duplicate changes nothing

    // Act
    const totals = await dayTotals(db, COMMUNITY.id, '2026-03-08');

    // Assess
    expect(totals).toEqual({
      day: '2026-03-08',
      messages: 2,
      replies: 1,
      reactions: 1,
      activeMembers: 2,
      joins: 1,
      leaves: 1,
    });
    expect(await dayTotals(db, COMMUNITY.id, '2026-03-07')).toMatchObject({ messages: 1, activeMembers: 1 });
  });
});
