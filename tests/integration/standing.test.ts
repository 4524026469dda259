import { beforeAll, describe, expect, it } from 'vitest';
import type { CommunityConfig } from '../../shared/domain/config';
import type { InboundEvent } from '../../shared/domain/events';
import type { Db } from '../../shared/store/db';
import { ingestEvent } from '../../shared/store/ingest';
import { getMember } from '../../shared/store/members';
import { listOutbox } from '../../shared/store/outbox';
import { reactTo } from '../../shared/workflows/react';
import { leaderboard, tiersReport } from '../../shared/workflows/standing/leaderboard';
import { standingSweep, windowStats } from '../../shared/workflows/standing/rollup';
import type { StandingMember } from '../../shared/workflows/standing/store';
import { standingOfMember } from '../../shared/workflows/standing/summary';
import { freshTable } from '../support/dynamo';
import { communityConfig, inboundEvent } from '../support/fixtures';

const at = (iso: string) => new Date(iso);

describe('Standing: points, levels, badges and tiers', () => {
  let db: Db;

  beforeAll(async () => {
    db = await freshTable('standing');
  });

  /** A community in UTC, so local days are UTC days. */
  const community = (id: string, overrides: Record<string, unknown> = {}) =>
    communityConfig({
      id,
      timezone: 'UTC',
      onboarding: { enabled: false },
      birthdays: { enabled: false },
      ...overrides,
    });

  async function ingest(c: CommunityConfig, event: InboundEvent) {
    const result = await ingestEvent(db, c, event, { now: at(event.occurredAt) });
    for (const domainEvent of result.events) await reactTo(db, c, domainEvent, at(event.occurredAt));
    return result;
  }

  const say = (c: CommunityConfig, memberId: string, when: string, extra: Record<string, unknown> = {}) =>
    ingest(c, inboundEvent('message.posted', memberId, when, extra));

  const react = (c: CommunityConfig, memberId: string, when: string, author: string, messageId?: string) =>
    ingest(
      c,
      inboundEvent('reaction.added', memberId, when, { toMemberId: author, ...(messageId ? { messageId } : {}) }),
    );

  /** Fold the day before `when`'s day (an as-of run at `when`). */
  const foldAt = (c: CommunityConfig, when: string) => standingSweep(db, [c], at(when), { asOf: true });

  const member = async (c: CommunityConfig, id: string) => (await getMember(db, c.id, id)) as StandingMember;

  it('earns a message at most once per cooldown, carrying the cooldown over midnight', async () => {
    const c = community('cooldown');
    // 23:59:30, then 10 s, 40 s and 61 s after the first earning one, then a minute later.
    for (const when of [
      '2026-03-01T23:59:30Z',
      '2026-03-01T23:59:40Z',
      '2026-03-02T00:00:10Z',
      '2026-03-02T00:00:31Z',
    ]) {
      await say(c, 'ada', when);
    }
    await say(c, 'ada', '2026-03-02T00:01:40Z');

    await foldAt(c, '2026-03-02T01:00:00Z');
    expect((await member(c, 'ada')).points).toBe(1);
    await foldAt(c, '2026-03-03T01:00:00Z');

    // 23:59:30 earns; 23:59:40 and 00:00:10 are within 60 s of it; 00:00:31 earns (61 s); 00:01:40 earns (69 s).
    expect((await member(c, 'ada')).points).toBe(3);
  });

  it('bounds the points from activity of one day by the daily cap', async () => {
    const c = community('cap', { points: { dailyCap: 3 } });
    for (let i = 0; i < 10; i++)
      await say(c, 'bo', new Date(Date.parse('2026-03-01T10:00:00Z') + i * 61_000).toISOString());

    await foldAt(c, '2026-03-02T00:30:00Z');

    expect((await member(c, 'bo')).points).toBe(3);
  });

  it('credits the author of a message once per giver, never from themselves, and not again on a later day', async () => {
    const c = community('credits');
    await say(c, 'ada', '2026-03-01T09:00:00Z');
    // Ada reacts to her own message; Bo reacts twice to it the same day and once the next day; Cy replies twice.
    await react(c, 'ada', '2026-03-01T09:01:00Z', 'ada', 'm1');
    await react(c, 'bo', '2026-03-01T09:02:00Z', 'ada', 'm1');
    await react(c, 'bo', '2026-03-01T09:03:00Z', 'ada', 'm1');
    await say(c, 'cy', '2026-03-01T09:04:00Z', { replyTo: 'ada', replyToMessage: 'm1' });
    await say(c, 'cy', '2026-03-01T09:06:00Z', { replyTo: 'ada', replyToMessage: 'm1' });
    await foldAt(c, '2026-03-02T00:30:00Z');
    await react(c, 'bo', '2026-03-02T09:00:00Z', 'ada', 'm1');
    await foldAt(c, '2026-03-03T00:30:00Z');

    const ada = await member(c, 'ada');
    // 1 for her message, 1 for Bo's reaction, 2 for Cy's reply; nothing for her own reaction or the repeats.
    expect(ada.points).toBe(4);
    expect(ada.reactionsReceived).toBe(1);
    expect(ada.repliesReceived).toBe(1);
    // Cy's two replies were messages a minute and more apart: each earns as a message.
    expect((await member(c, 'cy')).points).toBe(2);
  });

  it('gives staff and bots no points and no place on the leaderboard, and counts nothing they give', async () => {
    const c = community('staff');
    await say(c, 'mod', '2026-03-01T09:00:00Z', { member: { id: 'mod', isStaff: true } });
    await say(c, 'bot', '2026-03-01T09:00:00Z', { member: { id: 'bot', isBot: true } });
    await say(c, 'ada', '2026-03-01T09:00:00Z');
    await react(c, 'mod', '2026-03-01T09:01:00Z', 'ada', 'm1');
    await say(c, 'ada', '2026-03-01T09:02:00Z', { replyTo: 'mod', replyToMessage: 'm2' });

    await foldAt(c, '2026-03-02T00:30:00Z');

    expect((await member(c, 'mod')).points).toBeUndefined();
    expect((await member(c, 'bot')).points).toBeUndefined();
    // Ada's two messages earn (2 minutes apart); the moderator's reaction gives her nothing.
    expect((await member(c, 'ada')).points).toBe(2);
    expect((await member(c, 'ada')).reactionsReceived).toBe(0);
    expect((await leaderboard(db, c)).map((e) => e.memberId)).toEqual(['ada']);
    expect((await member(c, 'mod')).tier).toBeUndefined();
  });

  it('changes nothing when a webhook is delivered twice or a day is folded twice', async () => {
    const c = community('twice');
    const message = inboundEvent('message.posted', 'ada', '2026-03-01T09:00:00Z');
    const reaction = inboundEvent('reaction.added', 'bo', '2026-03-01T09:05:00Z', {
      toMemberId: 'ada',
      messageId: 'm',
    });
    for (const event of [message, message, reaction, reaction]) await ingest(c, event);

    await foldAt(c, '2026-03-02T00:30:00Z');
    const once = await member(c, 'ada');
    await foldAt(c, '2026-03-02T00:30:00Z');
    await standingSweep(db, [c], at('2026-03-02T00:40:00Z'));
    const twice = await member(c, 'ada');

    expect(once.points).toBe(2);
    expect(twice.points).toBe(2);
    expect([...(twice.badges ?? [])]).toEqual(['first-message']);
  });

  it('awards a 7-day streak once, on the seventh consecutive day', async () => {
    const c = community('streak');
    for (let day = 1; day <= 8; day++) {
      await say(c, 'ada', `2026-03-0${day}T09:00:00Z`);
      await foldAt(c, `2026-03-0${day + 1}T00:30:00Z`);
      const badges = [...((await member(c, 'ada')).badges ?? [])];
      expect(badges.includes('streak-7')).toBe(day >= 7);
    }
    expect((await member(c, 'ada')).longestStreak).toBe(8);
  });

  it('promotes the day a tier is earned and demotes only at the weekly review', async () => {
    // Active: 2 active days and 4 messages in the last 28 days.
    const c = community('tiers', { tiers: { active: { activeDays: 2, messages: 4 } } });
    await ingest(c, inboundEvent('member.joined', 'ada', '2026-01-05T08:00:00Z'));
    expect((await member(c, 'ada')).tier).toBe('newcomer');
    // Wednesday 2026-02-04 and Thursday 2026-02-05.
    for (const when of ['2026-02-04T09:00:00Z', '2026-02-04T09:02:00Z', '2026-02-05T09:00:00Z'])
      await say(c, 'ada', when);
    await foldAt(c, '2026-02-05T00:30:00Z');
    expect((await member(c, 'ada')).tier).toBe('regular');
    await say(c, 'ada', '2026-02-05T09:05:00Z');
    await foldAt(c, '2026-02-06T00:30:00Z');
    expect((await member(c, 'ada')).tier).toBe('active');
    expect((await member(c, 'ada')).tierSince).toBe('2026-02-05');

    // The window leaves 2026-02-05 behind after 2026-03-04. A daily fold after that demotes nothing.
    for (const day of ['2026-02-09', '2026-02-16', '2026-02-23', '2026-03-02', '2026-03-05']) {
      await foldAt(c, `${day}T00:30:00Z`);
      expect((await member(c, 'ada')).tier).toBe('active');
    }
    // The review after Sunday 2026-03-08.
    await foldAt(c, '2026-03-09T00:30:00Z');
    const ada = await member(c, 'ada');

    expect(ada.tier).toBe('lurker');
    const week = await tiersReport(db, c.id, '2026-W10');
    expect(week).toMatchObject({ demoted: 1, moves: { active_lurker: 1 } });
    expect(week.distribution.lurker).toBe(1);
    expect(week.distribution.active).toBe(0);
    expect(await tiersReport(db, c.id, '2026-W06')).toMatchObject({ promoted: 2 });
  });

  it('counts what a member received in their tier window', async () => {
    const c = community('window');
    await say(c, 'ada', '2026-03-01T09:00:00Z');
    await react(c, 'bo', '2026-03-01T09:01:00Z', 'ada', 'm');
    await react(c, 'cy', '2026-03-01T09:01:00Z', 'ada', 'm');
    await foldAt(c, '2026-03-02T00:30:00Z');

    expect(await windowStats(db, c.id, 'ada', '2026-03-01')).toEqual({
      activeDays: 1,
      messages: 1,
      received: 2,
      referrals: 0,
    });
  });

  it('ranks the leaderboard by points, all time and by week, and congratulates a new level once', async () => {
    const c = community('board', { points: { levelUp: 'dm', dailyCap: 100 } });
    // Ada earns 12 points on Monday 2026-03-02 (level 2 at 10), Bo 3.
    for (let i = 0; i < 12; i++)
      await say(c, 'ada', new Date(Date.parse('2026-03-02T09:00:00Z') + i * 60_000).toISOString());
    for (let i = 0; i < 3; i++)
      await say(c, 'bo', new Date(Date.parse('2026-03-02T09:00:00Z') + i * 60_000).toISOString());
    await foldAt(c, '2026-03-03T00:30:00Z');
    await foldAt(c, '2026-03-03T00:30:00Z');

    expect(await leaderboard(db, c)).toEqual([
      { memberId: 'ada', points: 12, level: 2, tier: 'regular' },
      { memberId: 'bo', points: 3, level: 1, tier: 'regular' },
    ]);
    expect((await leaderboard(db, c, { week: '2026-W10' })).map((e) => [e.memberId, e.points])).toEqual([
      ['ada', 12],
      ['bo', 3],
    ]);
    expect(await leaderboard(db, c, { week: '2026-W11' })).toEqual([]);
    const congratulations = (await listOutbox(db, c.id)).filter((item) => item.kind === 'level.up');
    expect(congratulations.map((item) => [item.memberId, item.vars.level, item.delivery])).toEqual([
      ['ada', '2', 'dm'],
    ]);
    // /points counts today's messages at once; the rank is the leaderboard's.
    await say(c, 'bo', '2026-03-03T09:00:00Z');
    expect(await standingOfMember(db, c, 'bo', at('2026-03-03T10:00:00Z'))).toEqual({
      points: 4,
      level: 1,
      badges: ['first-message'],
      tier: 'regular',
      rank: 2,
    });
  });

  it('takes a member who left off the leaderboard and out of the tier counts, and a rejoin makes them a newcomer', async () => {
    const c = community('leave');
    await ingest(c, inboundEvent('member.joined', 'ada', '2026-03-01T08:00:00Z'));
    await say(c, 'ada', '2026-03-01T09:00:00Z');
    await foldAt(c, '2026-03-02T00:30:00Z');
    expect((await leaderboard(db, c)).map((e) => e.memberId)).toEqual(['ada']);
    expect((await tiersReport(db, c.id, '2026-W10')).distribution).toMatchObject({ regular: 1, newcomer: 0 });

    await ingest(c, inboundEvent('member.left', 'ada', '2026-03-02T09:00:00Z'));
    expect(await leaderboard(db, c)).toEqual([]);
    expect((await tiersReport(db, c.id, '2026-W10')).distribution).toMatchObject({ regular: 0, newcomer: 0 });
    await ingest(c, inboundEvent('member.joined', 'ada', '2026-03-03T09:00:00Z'));

    const ada = await member(c, 'ada');
    expect(ada.tier).toBe('newcomer');
    // Points stay through a leave, and so does the place they earn.
    expect(ada.points).toBe(1);
    expect((await leaderboard(db, c)).map((e) => e.memberId)).toEqual(['ada']);
    expect((await tiersReport(db, c.id, '2026-W10')).distribution).toMatchObject({ regular: 0, newcomer: 1 });
  });

  it('folds the days its schedule has not reached, in order, before the day an as-of run asks for', async () => {
    const c = community('catchup');
    await say(c, 'ada', '2026-03-02T09:00:00Z');
    // The schedule folded 1 March (its run on 2 March set the mark), then stopped.
    await standingSweep(db, [c], at('2026-03-02T00:30:00Z'));
    await say(c, 'ada', '2026-03-03T09:00:00Z');
    await say(c, 'ada', '2026-03-04T09:00:00Z');

    // An as-of run on 5 March folds 2, 3 and 4 March: a day left behind a later one would never be folded.
    const report = await foldAt(c, '2026-03-05T00:30:00Z');
    await standingSweep(db, [c], at('2026-03-05T00:40:00Z'));

    expect(report).toMatchObject({ days: 1, folded: 3 });
    const ada = await member(c, 'ada');
    expect(ada.points).toBe(3);
    expect(ada.streakDays).toBe(3);
    expect(ada.standingDay).toBe('2026-03-04');
  });

  it('counts on /points only the days not folded, from the schedule’s mark', async () => {
    const c = community('provisional');
    // History from long before the standing's first run, which folds only the day before it.
    for (const day of ['2026-01-10', '2026-02-10', '2026-03-01', '2026-03-02']) await say(c, 'ada', `${day}T09:00:00Z`);
    const before = await standingOfMember(db, c, 'ada', at('2026-03-02T12:00:00Z'));
    await standingSweep(db, [c], at('2026-03-02T00:30:00Z'));
    const after = await standingOfMember(db, c, 'ada', at('2026-03-02T12:00:00Z'));

    // Yesterday's and today's messages, before and after the fold of yesterday.
    expect(before?.points).toBe(2);
    expect(after?.points).toBe(2);
    expect((await member(c, 'ada')).points).toBe(1);
  });

  it('takes a member made staff after earning off the leaderboard and out of the tiers', async () => {
    const c = community('turned');
    await say(c, 'mod', '2026-03-01T09:00:00Z');
    await say(c, 'ada', '2026-03-01T09:00:00Z');
    await foldAt(c, '2026-03-02T00:30:00Z');
    expect((await leaderboard(db, c)).map((e) => e.memberId).sort()).toEqual(['ada', 'mod']);

    await ingest(
      c,
      inboundEvent('member.updated', 'mod', '2026-03-02T09:00:00Z', { member: { id: 'mod', isStaff: true } }),
    );
    const meanwhile = await leaderboard(db, c);
    await say(c, 'mod', '2026-03-02T10:00:00Z', { member: { id: 'mod', isStaff: true } });
    await foldAt(c, '2026-03-03T00:30:00Z');

    expect(meanwhile.map((e) => e.memberId)).toEqual(['ada']);
    expect((await member(c, 'mod')).tier).toBeUndefined();
    expect((await tiersReport(db, c.id, '2026-W10')).distribution.regular).toBe(1);
  });
});
