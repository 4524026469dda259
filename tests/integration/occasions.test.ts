import { beforeAll, describe, expect, it } from 'vitest';
import { type CommunityConfig, parseCommunityConfig } from '../../shared/domain/config';
import { CommunityCache, putCommunity } from '../../shared/store/communities';
import type { Db } from '../../shared/store/db';
import { ingestEvent } from '../../shared/store/ingest';
import { getOutboxItem, listOutbox } from '../../shared/store/outbox';
import { setPreference } from '../../shared/store/preferences';
import { dispatch } from '../../shared/workflows/dispatch';
import { anniversarySweep, holidayFallsOn, holidaySweep } from '../../shared/workflows/occasions/decisions';
import { reactTo } from '../../shared/workflows/react';
import { freshTable } from '../support/dynamo';
import { communityConfig, inboundEvent } from '../support/fixtures';
import { RecordingSender } from '../support/senders';

const at = (iso: string) => new Date(iso);

/** The commands `db` sends, by name, while `run` runs. */
async function commandsDuring(db: Db, run: () => Promise<unknown>): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const name = `count-${Math.random()}`;
  db.doc.middlewareStack.add(
    (next, context) => async (args) => {
      counts[context.commandName as string] = (counts[context.commandName as string] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name },
  );
  try {
    await run();
  } finally {
    db.doc.middlewareStack.remove(name);
  }
  return counts;
}

describe('Occasions: anniversaries and holidays', () => {
  let db: Db;
  let sender: RecordingSender;

  beforeAll(async () => {
    db = await freshTable('occasions');
    sender = new RecordingSender();
  });

  async function joinAt(community: CommunityConfig, memberId: string, when: string, profile = {}) {
    const event = inboundEvent('member.joined', memberId, when, { member: { id: memberId, ...profile } });
    return ingestEvent(db, community, event, { now: at(when) });
  }

  async function leaveAt(community: CommunityConfig, memberId: string, when: string) {
    const result = await ingestEvent(db, community, inboundEvent('member.left', memberId, when), { now: at(when) });
    for (const event of result.events) await reactTo(db, community, event, at(when));
  }

  async function dispatchAt(community: CommunityConfig, when: string) {
    await putCommunity(db, community, at('2026-01-01T00:00:00Z'));
    const deps = { db, communities: new CommunityCache(db, 0), senderFor: () => sender };
    return dispatch(deps, at(when), { asOf: true });
  }

  describe('Membership anniversaries', () => {
    const ANNIV = communityConfig({
      id: 'anniv',
      timezone: 'Asia/Shanghai',
      onboarding: { enabled: false },
      birthdays: { enabled: false },
    });

    beforeAll(async () => {
      // First joins on 10 March 2026 in Shanghai (the community's zone) whatever the member's own zone.
      await joinAt(ANNIV, 'sh', '2026-03-10T02:00:00Z', { name: 'Shu' });
      await joinAt(ANNIV, 'ny', '2026-03-10T02:00:00Z', { name: 'Nia', timezone: 'America/New_York' });
      await joinAt(ANNIV, 'dst', '2026-03-20T02:00:00Z', { timezone: 'America/New_York' });
      await joinAt(ANNIV, 'zh', '2026-03-10T02:00:00Z', { name: '张三', locale: 'zh-CN' });
      await joinAt(ANNIV, 'bot', '2026-03-10T02:00:00Z', { isBot: true });
      await joinAt(ANNIV, 'gone', '2026-03-10T02:00:00Z');
      await leaveAt(ANNIV, 'gone', '2026-06-01T02:00:00Z');
      await joinAt(ANNIV, 'quiet', '2026-03-10T02:00:00Z');
      await setPreference(db, ANNIV.id, 'quiet', { optedOut: true }, at('2026-06-01T02:00:00Z'));
      // 9 March in Shanghai, though 10 March in UTC+14: the community's day counts.
      await joinAt(ANNIV, 'eve', '2026-03-09T15:00:00Z');
      // A rejoin keeps the first join's anniversary.
      await joinAt(ANNIV, 'back', '2026-03-10T02:00:00Z');
      await leaveAt(ANNIV, 'back', '2026-04-01T02:00:00Z');
      await joinAt(ANNIV, 'back', '2026-05-20T02:00:00Z');
    });

    it.each([
      // 11:00 local on 10 March 2027: Shanghai (03:00Z) and New York, still on EST (16:00Z).
      ['2027-03-10T03:00:00Z', ['back', 'sh', 'zh']],
      ['2027-03-10T16:00:00Z', ['ny']],
      // 20 March is after New York's change to EDT (14 March 2027): 11:00 is 15:00Z.
      ['2027-03-20T15:00:00Z', ['dst']],
    ])('at %s greets %s on their first anniversary, due at their 11:00', async (when, members) => {
      // Act
      const report = await anniversarySweep(db, [ANNIV], at(when), { asOf: true });

      // Assess
      expect(report.queued).toBe(members.length);
      for (const member of members) {
        expect(await getOutboxItem(db, ANNIV.id, `anniversary#anniv#${member}#2027`)).toMatchObject({
          kind: 'anniversary',
          delivery: 'channel',
          dueAt: at(when).toISOString(),
          vars: { years: '1' },
        });
      }
    });

    it('greets nobody who left, opted out or is a bot, and nobody whose first join was another day', async () => {
      // Assess: every sweep of 10 March 2027 has run above.
      const items = (await listOutbox(db, ANNIV.id)).filter((i) => i.kind === 'anniversary');
      expect(items.map((i) => i.memberId).sort()).toEqual(['back', 'dst', 'ny', 'sh', 'zh']);
      // Sent by the end of the member's own day.
      expect(items.find((i) => i.memberId === 'ny')?.notAfter).toBe('2027-03-11T05:00:00.000Z');
      expect(items.find((i) => i.memberId === 'sh')?.notAfter).toBe('2027-03-10T16:00:00.000Z');
    });

    it('queues nothing more on a second run in the same hour, and reads only the index', async () => {
      // Act
      let report: Awaited<ReturnType<typeof anniversarySweep>> | undefined;
      const commands = await commandsDuring(db, async () => {
        report = await anniversarySweep(db, [ANNIV], at('2027-03-10T03:40:00Z'), { asOf: true });
      });

      // Assess: one Query per month-day of the window, and the conditional puts of what was already queued.
      expect(report?.queued).toBe(0);
      expect(commands.QueryCommand).toBe(report?.monthDays.length);
      expect(commands.GetItemCommand ?? 0).toBe(0);
      expect(commands.BatchGetItemCommand ?? 0).toBe(0);
    });

    it('greets only the anniversaries the config lists: the 5th, not the 4th', async () => {
      // Act
      const fourth = await anniversarySweep(db, [ANNIV], at('2030-03-10T03:00:00Z'), { asOf: true });
      const fifth = await anniversarySweep(db, [ANNIV], at('2031-03-10T03:00:00Z'), { asOf: true });

      // Assess
      expect(fourth.queued).toBe(0);
      expect(fifth.queued).toBe(3);
      expect(await getOutboxItem(db, ANNIV.id, 'anniversary#anniv#sh#2031')).toMatchObject({ vars: { years: '5' } });
    });

    it('sends each once at its hour, in the member locale, under quiet hours', async () => {
      // Prepare
      sender.sent.length = 0;

      // Act: Shanghai's 11:00, then again a minute later.
      const first = await dispatchAt(ANNIV, '2027-03-10T03:00:30Z');
      const second = await dispatchAt(ANNIV, '2027-03-10T03:01:30Z');

      // Assess
      expect([first.sent, second.sent]).toEqual([3, 0]);
      const texts = Object.fromEntries(sender.sent.map((m) => [m.memberId, m.text]));
      expect(texts.sh).toBe('Shu, today is your 1-year anniversary in Acme Makers! 🎉 Thank you for being part of it.');
      expect(texts.zh).toBe('张三，今天是你加入Acme Makers1周年的日子！🎉 谢谢你一直都在。');
    });

    it('greets a first join on 29 February on 28 February in other years, and on the 29th in leap years', async () => {
      // Prepare
      const LEAP = communityConfig({ id: 'leap', timezone: 'UTC', onboarding: { enabled: false } });
      await joinAt(LEAP, 'leap', '2028-02-29T08:00:00Z');

      // Act
      const nonLeap = await anniversarySweep(db, [LEAP], at('2029-02-28T11:00:00Z'), { asOf: true });
      const leap = await anniversarySweep(db, [LEAP], at('2032-02-29T11:00:00Z'), { asOf: true });
      const notOn1st = await anniversarySweep(db, [LEAP], at('2029-03-01T11:00:00Z'), { asOf: true });

      // Assess
      expect([nonLeap.queued, leap.queued, notOn1st.queued]).toEqual([1, 0, 0]);
      expect(await getOutboxItem(db, LEAP.id, 'anniversary#leap#leap#2029')).toMatchObject({ vars: { years: '1' } });
    });

    it('greets nothing in a community that turned anniversaries off', async () => {
      // Act
      const off = { ...ANNIV, anniversaries: { ...ANNIV.anniversaries, enabled: false } };
      const report = await anniversarySweep(db, [off], at('2028-03-10T03:00:00Z'), { asOf: true });

      // Assess
      expect(report).toMatchObject({ found: 0, queued: 0, monthDays: [] });
    });
  });

  describe('Holidays', () => {
    const HOLI = parseCommunityConfig({
      ...communityConfig({ id: 'holi', timezone: 'Asia/Shanghai' }),
      onboarding: { enabled: false },
      holidays: [
        { date: '01-01', template: 'holiday.newYear' },
        { date: '2027-02-06', template: 'holiday.springFestival', audience: 'members', hour: 10 },
      ],
    });

    beforeAll(async () => {
      await putCommunity(db, HOLI, at('2026-01-01T00:00:00Z'));
      await joinAt(HOLI, 'sh', '2026-05-01T02:00:00Z', { name: 'Shu' });
      await joinAt(HOLI, 'zh', '2026-05-01T02:00:00Z', { name: '张三', locale: 'zh-CN' });
      await joinAt(HOLI, 'ny', '2026-05-01T02:00:00Z', { timezone: 'America/New_York' });
      await joinAt(HOLI, 'ki', '2026-05-01T02:00:00Z', { timezone: 'Pacific/Kiritimati' });
      await joinAt(HOLI, 'gone', '2026-05-01T02:00:00Z');
      await leaveAt(HOLI, 'gone', '2026-06-01T02:00:00Z');
      await joinAt(HOLI, 'staff', '2026-05-01T02:00:00Z', { isStaff: true });
    });

    it('falls on its month-day every year, a dated one only that year, and 29 February on the 28th otherwise', () => {
      // Assess
      expect(holidayFallsOn({ date: '01-01' }, '2031-01-01')).toBe(true);
      expect(holidayFallsOn({ date: '2027-02-06' }, '2027-02-06')).toBe(true);
      expect(holidayFallsOn({ date: '2027-02-06' }, '2028-02-06')).toBe(false);
      expect(holidayFallsOn({ date: '02-29' }, '2027-02-28')).toBe(true);
      expect(holidayFallsOn({ date: '02-29' }, '2028-02-28')).toBe(false);
    });

    it('posts New Year once in the channel, at 09:00 in the community zone, decided two days ahead', async () => {
      // Act: the community day of 30 December decides 1 January; the next days find it decided.
      const first = await holidaySweep(db, [HOLI], at('2026-12-30T01:00:00Z'), { asOf: true });
      const again = await holidaySweep(db, [HOLI], at('2026-12-31T01:00:00Z'), { asOf: true });
      const onTheDay = await holidaySweep(db, [HOLI], at('2027-01-01T01:00:00Z'), { asOf: true });

      // Assess
      expect([first.queued, again.queued, onTheDay.queued]).toEqual([1, 0, 0]);
      const posts = (await listOutbox(db, HOLI.id)).filter((i) => i.kind === 'holiday');
      expect(posts).toHaveLength(1);
      expect(posts[0]).toMatchObject({
        id: 'holiday#holi##community#2027-01-01+holiday.newYear',
        memberId: '#community',
        delivery: 'channel',
        dueAt: '2027-01-01T01:00:00.000Z',
        notAfter: '2027-01-01T16:00:00.000Z',
      });
    });

    it('sends the post once at its hour, to the channel, with no member to check or cap', async () => {
      // Prepare
      sender.sent.length = 0;

      // Act: before its hour, at it, and again.
      const early = await dispatchAt(HOLI, '2027-01-01T00:30:00Z');
      const due = await dispatchAt(HOLI, '2027-01-01T01:00:30Z');
      const again = await dispatchAt(HOLI, '2027-01-01T01:01:30Z');

      // Assess
      expect([early.sent, due.sent, again.sent]).toEqual([0, 1, 0]);
      expect(sender.sent[0]).toMatchObject({
        kind: 'holiday',
        delivery: 'channel',
        mention: true,
        text: 'Happy New Year from everyone at Acme Makers! 🎉',
      });
    });

    it('greets each present member at their own 10:00 on the Spring Festival, and nobody who left or is staff', async () => {
      // Act
      const report = await holidaySweep(db, [HOLI], at('2027-02-04T01:00:00Z'), { asOf: true });

      // Assess
      expect(report.queued).toBe(4);
      const items = (await listOutbox(db, HOLI.id)).filter((i) => i.template === 'holiday.springFestival');
      expect(Object.fromEntries(items.map((i) => [i.memberId, i.dueAt]))).toEqual({
        sh: '2027-02-06T02:00:00.000Z',
        zh: '2027-02-06T02:00:00.000Z',
        ny: '2027-02-06T15:00:00.000Z',
        ki: '2027-02-05T20:00:00.000Z',
      });
      expect(items.every((i) => i.delivery === 'dm' && i.kind === 'holiday')).toBe(true);
    });

    it('reads the present members once per holiday, through the presence index', async () => {
      // Act: the next day's run finds the holiday decided.
      const commands = await commandsDuring(db, () =>
        holidaySweep(db, [HOLI], at('2027-02-05T01:00:00Z'), { asOf: true }),
      );

      // Assess: the holiday's mark, and no member read.
      expect(commands.QueryCommand ?? 0).toBe(0);
      expect(commands.BatchGetItemCommand ?? 0).toBe(0);
    });

    it('sends each member theirs once under their guardrails, in their locale; a member who opts out gets none', async () => {
      // Prepare
      sender.sent.length = 0;
      await setPreference(db, HOLI.id, 'ny', { optedOut: true }, at('2027-02-05T00:00:00Z'));

      // Act: Kiritimati's 10:00, then Shanghai's, then New York's.
      await dispatchAt(HOLI, '2027-02-05T20:00:30Z');
      await dispatchAt(HOLI, '2027-02-06T02:00:30Z');
      const last = await dispatchAt(HOLI, '2027-02-06T15:00:30Z');

      // Assess
      expect(sender.sent.map((m) => m.memberId).sort()).toEqual(['ki', 'sh', 'zh']);
      expect(last.skipped).toBe(1);
      expect(sender.sent.find((m) => m.memberId === 'zh')?.text).toBe('Acme Makers祝大家春节快乐，万事如意！🧧');
      expect(await getOutboxItem(db, HOLI.id, 'holiday#holi#ny#2027-02-06+holiday.springFestival')).toMatchObject({
        status: 'skipped',
        reason: 'member opted out',
      });
    });

    it('cancels a member greeting still pending when the member leaves', async () => {
      // Prepare: New Year 2028 to members this time.
      const members = {
        ...HOLI,
        holidays: [{ date: '2028-01-01', template: 'holiday', hour: 9, audience: 'members' as const }],
      };
      await holidaySweep(db, [members], at('2027-12-30T01:00:00Z'), { asOf: true });

      // Act
      await leaveAt(members, 'sh', '2027-12-31T01:00:00Z');

      // Assess
      expect(await getOutboxItem(db, HOLI.id, 'holiday#holi#sh#2028-01-01+holiday')).toMatchObject({
        status: 'skipped',
        reason: 'member left',
      });
      expect(await getOutboxItem(db, HOLI.id, 'holiday#holi#zh#2028-01-01+holiday')).toMatchObject({
        status: 'pending',
      });
    });
  });
});
