import { DateTime } from 'luxon';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CommunityConfig } from '../../shared/domain/config';
import type { InboundEvent } from '../../shared/domain/events';
import { memberDayRows } from '../../shared/store/days';
import type { Db } from '../../shared/store/db';
import { ingestEvent } from '../../shared/store/ingest';
import { membershipDays } from '../../shared/store/membership';
import { activityNumbers } from '../../shared/workflows/digest/metrics';
import { type Period, parsePeriod } from '../../shared/workflows/digest/periods';
import { standingSweep } from '../../shared/workflows/standing/rollup';
import { freshTable } from '../support/dynamo';
import { communityConfig, inboundEvent } from '../support/fixtures';

const at = (iso: string) => new Date(iso);

describe('Digest numbers from day rows', () => {
  let db: Db;

  beforeAll(async () => {
    db = await freshTable('digest-metrics');
  });

  const community = (id: string, timezone: string) =>
    communityConfig({ id, timezone, onboarding: { enabled: false }, birthdays: { enabled: false } });

  /** Apply `event`, received at `received` (default: as it happened). */
  const apply = (c: CommunityConfig, event: InboundEvent, received?: string) =>
    ingestEvent(db, c, event, { now: at(received ?? event.occurredAt) });
  const numbers = async (c: CommunityConfig, week: string) => {
    const period = parsePeriod('week', week) as Period;
    const membership = await membershipDays(db, c.id, period.last);
    return activityNumbers((day) => memberDayRows(db, c.id, day), period, membership);
  };

  it('counts a small community by hand: staff and bots out, a rejoin, a leave, late and out-of-order events', async () => {
    // Week 2026-W49 is Monday 30 November to Sunday 6 December, in UTC.
    const c = community('hand', 'UTC');
    const say = (member: string, when: string, extra: Record<string, unknown> = {}) =>
      inboundEvent('message.posted', member, when, extra);
    // Before the week (2 to 29 November): Ada, Bo and Cy were active.
    for (const [member, when] of [
      ['ada', '2026-11-20T10:00:00Z'],
      ['bo', '2026-11-25T10:00:00Z'],
      ['cy', '2026-11-10T10:00:00Z'],
    ]) {
      await apply(c, say(member, when));
    }
    // The week. Thursday's message of Dan arrives before Monday's of Ada (out of order); Ada's reaction of
    // Tuesday arrives three days late (history); Fay leaves on Monday and rejoins on Wednesday.
    await apply(c, inboundEvent('member.joined', 'dan', '2026-12-01T08:00:00Z'));
    await apply(c, say('dan', '2026-12-03T09:00:00Z'));
    await apply(c, say('ada', '2026-11-30T09:00:00Z'));
    await apply(c, say('ada', '2026-11-30T09:05:00Z', { replyTo: 'dan', replyToMessage: 'dan-intro' }));
    await apply(
      c,
      inboundEvent('reaction.added', 'ada', '2026-12-01T12:00:00Z', { toMemberId: 'bo' }),
      '2026-12-04T12:00:00Z',
    );
    await apply(c, say('bo', '2026-12-02T09:00:00Z'));
    await apply(c, inboundEvent('member.left', 'bo', '2026-12-04T09:00:00Z'));
    await apply(c, inboundEvent('member.left', 'fay', '2026-11-30T07:00:00Z'));
    await apply(c, inboundEvent('member.joined', 'fay', '2026-12-02T07:00:00Z'));
    // Staff and a bot, active every day: in no number.
    for (let day = 30; day <= 36; day++) {
      const when = new Date(Date.UTC(2026, 10, day, 11)).toISOString();
      await apply(c, say('eve', when, { member: { id: 'eve', isStaff: true } }));
      await apply(c, say('robot', when, { member: { id: 'robot', isBot: true } }));
    }
    await apply(
      c,
      inboundEvent('member.joined', 'robot', '2026-12-01T08:00:00Z', { member: { id: 'robot', isBot: true } }),
    );
    // The standing's fold writes what each member received (the top contributors' tie-break).
    await standingSweep(db, [c], at('2026-12-01T00:30:00Z'), { asOf: true });

    // Act
    const week = await numbers(c, '2026-W49');

    // Assess: counted by hand.
    expect(week).toEqual({
      // First seen (Cy 10 Nov, Ada 20 Nov, Bo 25 Nov), then Dan joins, Fay (first seen leaving) joins, Bo leaves.
      membersAtStart: 3,
      members: 4,
      growthRate: 0 / 3,
      // Nobody joined in 2026-W48.
      activation: null,
      newcomers: 0,
      retention: [
        { cohort: '2026-W48', k: 1, rate: null, size: 0 },
        { cohort: '2026-W47', k: 1, rate: null, size: 0 },
        { cohort: '2026-W47', k: 2, rate: null, size: 0 },
        { cohort: '2026-W46', k: 1, rate: null, size: 0 },
        { cohort: '2026-W46', k: 2, rate: null, size: 0 },
        { cohort: '2026-W46', k: 3, rate: null, size: 0 },
        { cohort: '2026-W45', k: 1, rate: null, size: 0 },
        { cohort: '2026-W45', k: 2, rate: null, size: 0 },
        { cohort: '2026-W45', k: 3, rate: null, size: 0 },
        { cohort: '2026-W45', k: 4, rate: null, size: 0 },
      ],
      joins: 2, // Dan (Tue), Fay (Wed); the bot's join is left out
      leaves: 2, // Fay (Mon), Bo (Fri)
      net: 0,
      messages: 4, // Ada 2, Bo 1, Dan 1
      replies: 1,
      reactions: 1,
      wau: 3, // Ada, Bo, Dan
      avgDau: 4 / 7, // Mon Ada, Tue Ada, Wed Bo, Thu Dan
      mau: 4, // 7 November to 6 December: Ada, Bo, Cy, Dan
      stickiness: 4 / 7 / 4,
      messagesPerActive: 4 / 3,
      interactionRate: 2 / 4,
      churn: 2 / 3, // of Ada, Bo and Cy: Cy was silent, Bo left
      // Bo and Dan tie at one activity; Dan received Ada's reply.
      topContributors: [
        { memberId: 'ada', activities: 3, repliesReceived: 0 },
        { memberId: 'dan', activities: 1, repliesReceived: 1 },
        { memberId: 'bo', activities: 1, repliesReceived: 0 },
      ],
    });
  });

  it.each(['Asia/Shanghai', 'America/Los_Angeles', 'Pacific/Kiritimati'])(
    'puts a message a minute before and one at local midnight of Monday 4 January 2027 in 2026-W53 and 2027-W01 (%s)',
    async (zone) => {
      // Prepare
      const c = community(`edge-${zone.replace('/', '-').toLowerCase()}`, zone);
      const midnight = DateTime.fromISO('2027-01-04T00:00:00', { zone });
      await apply(c, inboundEvent('message.posted', 'ada', midnight.minus({ minutes: 1 }).toUTC().toISO() as string));
      await apply(c, inboundEvent('message.posted', 'bo', midnight.toUTC().toISO() as string));

      // Act
      const w53 = await numbers(c, '2026-W53');
      const w01 = await numbers(c, '2027-W01');

      // Assess
      expect([w53.messages, w53.topContributors.map((t) => t.memberId)]).toEqual([1, ['ada']]);
      expect([w01.messages, w01.topContributors.map((t) => t.memberId)]).toEqual([1, ['bo']]);
    },
  );

  it('counts a redelivered leave or join once, and one that changed nothing as nothing', async () => {
    // Prepare: a member seen posting (+1), a leave of someone never seen (0), their leave and return.
    const c = community('redelivered', 'UTC');
    const seen = inboundEvent('message.posted', 'seen', '2026-11-02T10:00:00Z');
    const stranger = inboundEvent('member.left', 'stranger', '2026-11-03T10:00:00Z');
    const left = inboundEvent('member.left', 'seen', '2026-11-04T10:00:00Z');
    const back = inboundEvent('member.joined', 'seen', '2026-11-05T10:00:00Z');

    // Act: each lifecycle event's publish fails after its member write (the lease is released), and the
    // platform's retry, a minute later, takes it over and finishes it.
    await apply(c, seen);
    for (const event of [stranger, left, back]) {
      const first = await apply(c, event);
      await first.release?.();
      const retried = new Date(Date.parse(event.occurredAt) + 60_000).toISOString();
      await apply(c, event, retried);
    }

    // Assess: +1, 0, −1, +1, each once.
    const days = await membershipDays(db, c.id, '2026-11-30');
    expect(days.map((d) => [d.day, d.delta])).toEqual([
      ['2026-11-02', 1],
      ['2026-11-03', 0],
      ['2026-11-04', -1],
      ['2026-11-05', 1],
    ]);
  });

  it('measures activation within 7 × 24 hours of each join, and retention of the first-join cohorts', async () => {
    // Prepare: UTC; joins in 2026-W48 (23 to 29 November), the digest of 2026-W49.
    const c = community('cohorts', 'UTC');
    const join = (member: string, when: string) => apply(c, inboundEvent('member.joined', member, when));
    const say = (member: string, when: string) => apply(c, inboundEvent('message.posted', member, when));
    const react = (member: string, when: string) =>
      apply(c, inboundEvent('reaction.added', member, when, { toMemberId: 'someone-else' }));
    await join('a1', '2026-11-23T10:00:00Z');
    await react('a1', '2026-11-30T09:59:59Z'); // 7 × 24 h less a second after: activated
    await join('a2', '2026-11-24T10:00:00Z');
    await say('a2', '2026-12-01T10:00:01Z'); // a second too late
    await say('a2', '2026-11-24T09:00:00Z'); // before the join: no
    await join('a3', '2026-11-29T23:00:00Z');
    await say('a3', '2026-11-30T00:10:00Z'); // the next day, the next week: activated
    // A rejoin in 2026-W48 of a member who first joined in 2026-W46: a newcomer for activation, not in W48's cohort.
    await join('old', '2026-11-10T10:00:00Z');
    await apply(c, inboundEvent('member.left', 'old', '2026-11-12T10:00:00Z'));
    await join('old', '2026-11-25T10:00:00Z');
    await say('old', '2026-11-26T10:00:00Z');
    await say('old', '2026-12-02T10:00:00Z');

    // Act
    const week = await numbers(c, '2026-W49');

    // Assess
    expect([week.newcomers, week.activation]).toEqual([4, 3 / 4]);
    const cell = (cohort: string, k: number) => week.retention.find((r) => r.cohort === cohort && r.k === k);
    // W48's cohort: a1, a2, a3, each active in W49 (30 November, 1 December, 30 November), even a2, whose
    // message there came too late for activation.
    expect(cell('2026-W48', 1)).toEqual({ cohort: '2026-W48', k: 1, rate: 1, size: 3 });
    // W46's cohort: old, active in W48 (k = 2) and W49 (k = 3), not in W47.
    expect([cell('2026-W46', 1)?.rate, cell('2026-W46', 2)?.rate, cell('2026-W46', 3)?.rate]).toEqual([0, 1, 1]);
    expect(week.members).toBe(4);
  });
});
