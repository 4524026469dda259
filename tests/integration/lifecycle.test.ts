import { beforeAll, describe, expect, it } from 'vitest';
import { type ChatMessage, type ChatSender, RetryLaterError, UndeliverableError } from '../../shared/chat/sender';
import type { CommunityConfig } from '../../shared/domain/config';
import type { InboundEvent } from '../../shared/domain/events';
import { addDays } from '../../shared/domain/time';
import type { DomainEvent } from '../../shared/events/domain-events';
import { CommunityCache, putCommunity } from '../../shared/store/communities';
import type { Db } from '../../shared/store/db';
import { type IngestOptions, ingestEvent as ingestWith } from '../../shared/store/ingest';
import { getMember } from '../../shared/store/members';
import { getOutboxItem, listOutbox, type OutboxItem } from '../../shared/store/outbox';
import { setPreference } from '../../shared/store/preferences';
import { getSweepMark } from '../../shared/store/sweeps';
import { birthdaySweep } from '../../shared/workflows/birthdays/decisions';
import { type DispatchReport, dispatch } from '../../shared/workflows/dispatch';
import { dripCompletion } from '../../shared/workflows/onboarding/completion';
import { dripSweep } from '../../shared/workflows/onboarding/decisions';
import { reactTo } from '../../shared/workflows/react';
import { quietSpellDays } from '../../shared/workflows/registry';
import { sweepDays } from '../../shared/workflows/sweep';
import { winbackSweep } from '../../shared/workflows/winback/decisions';
import { recordWonBack, winbackTallies } from '../../shared/workflows/winback/store';
import { freshTable } from '../support/dynamo';
import { communityConfig, inboundEvent } from '../support/fixtures';

/** `ingestEvent` as the webhook calls it: with the quiet spell the workflows ask for. */
const ingestEvent = (db: Db, community: CommunityConfig, event: InboundEvent, options: IngestOptions = {}) =>
  ingestWith(db, community, event, { quietSpellDays: quietSpellDays(community), ...options });

/** Records what it is asked to send; `failFirst` answers the first tries with a platform 429. */
class RecordingSender implements ChatSender {
  readonly sent: ChatMessage[] = [];
  failFirst = 0;
  async send(message: ChatMessage): Promise<undefined> {
    if (this.failFirst > 0) {
      this.failFirst--;
      throw new RetryLaterError('slack: 429 rate limited');
    }
    this.sent.push(message);
    return undefined;
  }
}

const at = (iso: string) => new Date(iso);
const ids = (items: OutboxItem[]) => items.map((i) => i.id).sort();

describe('Lifecycle messaging', () => {
  let db: Db;
  let sender: RecordingSender;

  beforeAll(async () => {
    db = await freshTable('lifecycle');
    sender = new RecordingSender();
  });

  /** Store the community and return a dispatcher run for it (as-of, so tests travel in time freely). */
  async function dispatcherFor(community: CommunityConfig) {
    await putCommunity(db, community, at('2026-01-01T00:00:00Z'));
    const deps = { db, communities: new CommunityCache(db, 0), senderFor: () => sender };
    return (now: Date): Promise<DispatchReport> => dispatch(deps, now, { asOf: true });
  }

  async function joinAt(community: CommunityConfig, memberId: string, when: string, profile = {}) {
    const result = await ingestEvent(
      db,
      community,
      inboundEvent('member.joined', memberId, when, { member: { id: memberId, ...profile } }),
      { now: at(when) },
    );
    return result.events.find((e) => e.type === 'member.joined') as DomainEvent;
  }

  async function postAt(community: CommunityConfig, memberId: string, when: string) {
    return ingestEvent(db, community, inboundEvent('message.posted', memberId, when), { now: at(when) });
  }

  const outboxOf = async (community: CommunityConfig, prefix: string) =>
    (await listOutbox(db, community.id)).filter((i) => i.id.startsWith(prefix));

  describe('Birthday greetings', () => {
    const BDAY = communityConfig({ id: 'bday', timezone: 'Asia/Shanghai', onboarding: { enabled: false } });

    beforeAll(async () => {
      await joinAt(BDAY, 'sh', '2026-01-05T02:00:00Z', { name: 'Shu', birthday: '03-14' });
      await joinAt(BDAY, 'ny', '2026-01-05T02:00:00Z', { birthday: '1990-03-14', timezone: 'America/New_York' });
      await joinAt(BDAY, 'ki', '2026-01-05T02:00:00Z', { birthday: '03-14', timezone: 'Pacific/Kiritimati' });
      await joinAt(BDAY, 'pp', '2026-01-05T02:00:00Z', { birthday: '03-14', timezone: 'Pacific/Pago_Pago' });
      await joinAt(BDAY, 'other-day', '2026-01-05T02:00:00Z', { birthday: '03-15' });
    });

    it.each([
      // 09:00 local on 14 March, in each member's own time zone (Shanghai is the community's).
      ['2026-03-13T19:00:00Z', 'ki'],
      ['2026-03-14T01:00:00Z', 'sh'],
      ['2026-03-14T13:00:00Z', 'ny'],
      ['2026-03-14T20:00:00Z', 'pp'],
    ])('at %s greets %s and nobody else, due at their 09:00', async (when, member) => {
      // Act
      const report = await birthdaySweep(db, [BDAY], at(when), { asOf: true });

      // Assess
      expect(report.queued).toBe(1);
      const item = await getOutboxItem(db, BDAY.id, `birthday#bday#${member}#2026`);
      expect(item).toMatchObject({ kind: 'birthday', delivery: 'channel', dueAt: at(when).toISOString() });
    });

    it('queues nothing more when a sweep runs again in the same hour', async () => {
      // Act
      const again = await birthdaySweep(db, [BDAY], at('2026-03-14T01:20:00Z'), { asOf: true });

      // Assess
      expect(again.queued).toBe(0);
      expect(ids(await outboxOf(BDAY, 'birthday#'))).toEqual([
        'birthday#bday#ki#2026',
        'birthday#bday#ny#2026',
        'birthday#bday#pp#2026',
        'birthday#bday#sh#2026',
      ]);
    });

    it('sends each greeting once, at its hour, in the member name', async () => {
      // Prepare
      const run = await dispatcherFor(BDAY);
      sender.sent.length = 0;

      // Act: the Shanghai greeting is due at 01:00Z; the New York one not before 13:00Z.
      const first = await run(at('2026-03-14T01:00:30Z'));
      const second = await run(at('2026-03-14T01:01:30Z'));

      // Assess
      expect(first.sent).toBe(2); // Kiritimati's (19:00Z the day before) and Shanghai's
      expect(second.sent).toBe(0);
      expect(sender.sent.map((m) => m.memberId).sort()).toEqual(['ki', 'sh']);
      expect(sender.sent.find((m) => m.memberId === 'sh')?.text).toContain('Shu');
    });

    it('runs a scheduled sweep from where the last one stopped: a repeat in the same hour reads nothing', async () => {
      // Prepare
      const community = communityConfig({ id: 'bday-sched', timezone: 'UTC' });
      await joinAt(community, 'u1', '2026-01-05T02:00:00Z', { birthday: '04-01' });

      // Act
      const first = await birthdaySweep(db, [community], at('2026-04-01T09:00:05Z'));
      const repeat = await birthdaySweep(db, [community], at('2026-04-01T09:00:40Z'));

      // Assess
      expect(first.queued).toBe(1);
      expect(repeat).toMatchObject({ found: 0, queued: 0 });
      expect(repeat.from).toBe(first.to);
    });

    it.each([
      // DST starts in New York on 2026-03-08 and ends on 2026-11-01: 09:00 local moves by an hour in UTC.
      ['03-08', '2026-03-08T13:00:00Z', '2026-03-08T14:00:00Z'],
      ['11-01', '2026-11-01T14:00:00Z', '2026-11-01T13:00:00Z'],
    ])('greets a New York birthday on %s at 09:00 local (%s), not an hour off', async (birthday, right, wrong) => {
      // Prepare
      const community = communityConfig({ id: `ny-${birthday}`, timezone: 'America/New_York' });
      await joinAt(community, 'n', '2026-01-05T02:00:00Z', { birthday });

      // Act: an as-of run an hour away still sees the greeting coming (its window is an hour each way)...
      const exact = await birthdaySweep(db, [community], at(right), { asOf: true });

      // Assess: ...so check where it is due.
      expect(exact.queued).toBe(1);
      const item = await getOutboxItem(db, community.id, `birthday#${community.id}#n#2026`);
      expect(item?.dueAt).toBe(at(right).toISOString());
      expect(item?.dueAt).not.toBe(at(wrong).toISOString());
    });

    it('greets 29 February on 28 February in other years, and on the 29th in leap years', async () => {
      // Prepare
      const community = communityConfig({ id: 'leap', timezone: 'UTC' });
      await joinAt(community, 'leapling', '2026-01-05T02:00:00Z', { birthday: '2000-02-29' });

      // Act
      const in2027 = await birthdaySweep(db, [community], at('2027-02-28T09:00:00Z'), { asOf: true });
      const on28th2028 = await birthdaySweep(db, [community], at('2028-02-28T09:00:00Z'), { asOf: true });
      const on29th2028 = await birthdaySweep(db, [community], at('2028-02-29T09:00:00Z'), { asOf: true });

      // Assess
      expect(in2027.queued).toBe(1);
      expect(on28th2028.queued).toBe(0);
      expect(on29th2028.queued).toBe(1);
      expect(ids(await outboxOf(community, 'birthday#'))).toEqual([
        'birthday#leap#leapling#2027',
        'birthday#leap#leapling#2028',
      ]);
    });

    it('greets a member who joins on their birthday after the hour, once', async () => {
      // Prepare
      const community = communityConfig({ id: 'joiner', timezone: 'Asia/Shanghai' });
      const run = await dispatcherFor(community);
      sender.sent.length = 0;

      // Act: joins at 15:00 local on their birthday; the day's sweeps also run later.
      const joined = await joinAt(community, 'new', '2026-06-01T07:00:00Z', { birthday: '06-01' });
      await reactTo(db, community, joined, at('2026-06-01T07:00:01Z'));
      await birthdaySweep(db, [community], at('2026-06-01T08:00:00Z'), { asOf: true });
      await birthdaySweep(db, [community], at('2026-06-01T01:00:00Z'), { asOf: true });
      const report = await run(at('2026-06-01T07:01:00Z'));

      // Assess: the welcome and the greeting, each once (the welcome does not count against the cap).
      expect(report.sent).toBe(2);
      expect(sender.sent.map((m) => m.kind).sort()).toEqual(['birthday', 'welcome']);
      expect(await outboxOf(community, 'birthday#')).toHaveLength(1);
    });

    it('greets in the channel and by DM with "both", and the cap counts them as one', async () => {
      // Prepare
      const community = communityConfig({ id: 'both', timezone: 'UTC', birthdays: { delivery: 'both' } });
      await joinAt(community, 'b', '2026-01-05T02:00:00Z', { birthday: '05-05' });
      const run = await dispatcherFor(community);
      sender.sent.length = 0;

      // Act
      await birthdaySweep(db, [community], at('2026-05-05T09:00:00Z'), { asOf: true });
      const report = await run(at('2026-05-05T09:00:10Z'));

      // Assess
      expect(report.sent).toBe(2);
      expect(sender.sent.map((m) => m.delivery).sort()).toEqual(['channel', 'dm']);
    });

    it('keeps a "both" greeting whose DM fails out of the channel, and still counts the one that went', async () => {
      // Prepare: the platform refuses the DM copy.
      const community = communityConfig({ id: 'bothfail', timezone: 'UTC', birthdays: { delivery: 'both' } });
      await putCommunity(db, community, at('2026-01-01T00:00:00Z'));
      const refusing = new RecordingSender();
      refusing.send = async (message: ChatMessage) => {
        if (message.delivery === 'dm') throw new UndeliverableError('slack: DM refused');
        refusing.sent.push(message);
        return undefined;
      };
      const run = (now: Date) =>
        dispatch({ db, communities: new CommunityCache(db, 0), senderFor: () => refusing }, now, { asOf: true });
      await joinAt(community, 'f', '2026-01-05T02:00:00Z', { birthday: '05-06' });
      await postAt(community, 'f', '2026-04-22T12:00:00Z');
      await birthdaySweep(db, [community], at('2026-05-06T09:00:00Z'), { asOf: true });
      await winbackSweep(db, [community], at('2026-05-06T09:00:00Z'), { asOf: true });

      // Act
      const greeting = await run(at('2026-05-06T09:00:10Z'));
      const winback = await run(at('2026-05-06T10:00:10Z'));

      // Assess: the DM copy asked for no fallback; the channel copy still fills the day's allowance.
      expect(await getOutboxItem(db, community.id, 'birthday#bothfail#f#2026.dm')).toMatchObject({
        private: true,
        status: 'failed',
      });
      expect(greeting).toMatchObject({ sent: 1, failed: 1 });
      expect(refusing.sent.map((m) => m.delivery)).toEqual(['channel']);
      expect(winback).toMatchObject({ sent: 0, deferred: 1 });
    });

    it('queues nothing for members who left, opted out, or are bots', async () => {
      // Prepare
      const community = communityConfig({ id: 'nobody', timezone: 'UTC' });
      await joinAt(community, 'gone', '2026-01-05T02:00:00Z', { birthday: '07-07' });
      await ingestEvent(db, community, inboundEvent('member.left', 'gone', '2026-02-01T00:00:00Z'));
      await joinAt(community, 'quiet', '2026-01-05T02:00:00Z', { birthday: '07-07' });
      await setPreference(db, community.id, 'quiet', { optedOut: true }, at('2026-02-01T00:00:00Z'));
      await joinAt(community, 'robot', '2026-01-05T02:00:00Z', { birthday: '07-07', isBot: true });

      // Act
      const report = await birthdaySweep(db, [community], at('2026-07-07T09:00:00Z'), { asOf: true });

      // Assess
      expect(report.found).toBeGreaterThanOrEqual(3);
      expect(report.queued).toBe(0);
    });
  });

  describe('Onboarding drip', () => {
    const DRIP = communityConfig({ id: 'drip', timezone: 'Asia/Shanghai' });

    it('welcomes at once, then sends +1 day and +3 days, each once, at the time of day of the join', async () => {
      // Prepare: joins 2026-11-02 10:00 local (02:00Z).
      const run = await dispatcherFor(DRIP);
      const joined = await joinAt(DRIP, 'ada', '2026-11-02T02:00:00Z', { name: 'Ada', locale: 'en' });
      await reactTo(db, DRIP, joined, at('2026-11-02T02:00:01Z'));

      // Act: the sweeps of the next days, each twice.
      const day1 = await dripSweep(db, [DRIP], at('2026-11-02T17:00:00Z'), { asOf: true });
      await dripSweep(db, [DRIP], at('2026-11-02T18:00:00Z'), { asOf: true });
      const day3 = await dripSweep(db, [DRIP], at('2026-11-04T17:00:00Z'), { asOf: true });
      sender.sent.length = 0;
      await run(at('2026-11-02T02:00:30Z'));
      await run(at('2026-11-03T02:00:30Z'));
      await run(at('2026-11-05T02:00:30Z'));

      // Assess
      expect(day1.queued).toBe(1);
      expect(day3.queued).toBe(1);
      expect(ids(await outboxOf(DRIP, 'onboarding#drip#ada#'))).toEqual([
        'onboarding#drip#ada#2026-11-02+1d',
        'onboarding#drip#ada#2026-11-02+3d',
      ]);
      expect(sender.sent.map((m) => m.kind)).toEqual(['welcome', 'onboarding', 'onboarding']);
      expect(sender.sent[1].text).toContain('say hello');
    });

    it('cancels what is pending when the member leaves, and queues no later step', async () => {
      // Prepare
      const joined = await joinAt(DRIP, 'bo', '2026-11-10T02:00:00Z');
      await reactTo(db, DRIP, joined, at('2026-11-10T02:00:01Z'));
      await dripSweep(db, [DRIP], at('2026-11-10T17:00:00Z'), { asOf: true });

      // Act
      const left = await ingestEvent(db, DRIP, inboundEvent('member.left', 'bo', '2026-11-10T20:00:00Z'));
      const outcome = await reactTo(db, DRIP, left.events[0], at('2026-11-10T20:00:01Z'));
      const later = await dripSweep(db, [DRIP], at('2026-11-12T17:00:00Z'), { asOf: true });

      // Assess
      expect(outcome.outbox).toBe('cancelled');
      expect(await getOutboxItem(db, DRIP.id, 'onboarding#drip#bo#2026-11-10+1d')).toMatchObject({
        status: 'skipped',
        reason: 'member left',
      });
      expect(later.queued).toBe(0);
      expect(await outboxOf(DRIP, 'onboarding#drip#bo#2026-11-10+3d')).toHaveLength(0);
    });

    it('does not onboard again a member who rejoins within 30 days, and does after that', async () => {
      // Prepare
      const first = await joinAt(DRIP, 'cy', '2026-11-01T02:00:00Z');
      await reactTo(db, DRIP, first, at('2026-11-01T02:00:01Z'));
      await ingestEvent(db, DRIP, inboundEvent('member.left', 'cy', '2026-11-05T02:00:00Z'));

      // Act
      const soon = await joinAt(DRIP, 'cy', '2026-11-20T02:00:00Z');
      const soonOutcome = await reactTo(db, DRIP, soon, at('2026-11-20T02:00:01Z'));
      const soonDrip = await dripSweep(db, [DRIP], at('2026-11-20T17:00:00Z'), { asOf: true });
      await ingestEvent(db, DRIP, inboundEvent('member.left', 'cy', '2026-11-25T02:00:00Z'));
      const late = await joinAt(DRIP, 'cy', '2026-12-05T02:00:00Z');
      const lateOutcome = await reactTo(db, DRIP, late, at('2026-12-05T02:00:01Z'));

      // Assess
      expect(soonOutcome.onboarding).toBe('rejoined');
      expect(soonDrip.queued).toBe(0);
      expect(lateOutcome.onboarding).toBe('queued');
      expect(ids(await outboxOf(DRIP, 'welcome#drip#cy#'))).toEqual([
        'welcome#drip#cy#2026-11-01',
        'welcome#drip#cy#2026-12-05',
      ]);
    });

    it('welcomes a member who left before their welcome went, when they come back', async () => {
      // Prepare: joins and leaves within minutes, before any dispatcher run.
      const first = await joinAt(DRIP, 'dee', '2026-11-01T02:00:00Z');
      await reactTo(db, DRIP, first, at('2026-11-01T02:00:01Z'));
      const left = await ingestEvent(db, DRIP, inboundEvent('member.left', 'dee', '2026-11-01T02:05:00Z'));
      await reactTo(db, DRIP, left.events[0], at('2026-11-01T02:05:01Z'));

      // Act: back the same day, then (after leaving again) two days later.
      const sameDay = await joinAt(DRIP, 'dee', '2026-11-01T05:00:00Z');
      const sameDayOutcome = await reactTo(db, DRIP, sameDay, at('2026-11-01T05:00:01Z'));
      const revived = await getOutboxItem(db, DRIP.id, 'welcome#drip#dee#2026-11-01');
      const drip = await dripSweep(db, [DRIP], at('2026-11-01T17:00:00Z'), { asOf: true });

      // Assess
      expect(sameDayOutcome.onboarding).toBe('queued');
      expect(revived).toMatchObject({ status: 'pending', attempts: 0, dueAt: '2026-11-01T05:00:01.000Z' });
      expect(drip.queued).toBe(1);
    });

    it('counts, for the digest, the newcomers whose drip ended in a week and those sent every step', async () => {
      // Prepare: three join on Monday 2026-11-16 at 10:00 local; the last step (+3 days) falls on Thursday.
      const community = communityConfig({ id: 'dripdone', timezone: 'Asia/Shanghai' });
      const run = await dispatcherFor(community);
      for (const id of ['done', 'quit', 'gone']) {
        const joined = await joinAt(community, id, '2026-11-16T02:00:00Z');
        await reactTo(db, community, joined, at('2026-11-16T02:00:01Z'));
      }
      await run(at('2026-11-16T02:00:30Z'));
      await setPreference(db, community.id, 'quit', { optedOut: true }, at('2026-11-16T03:00:00Z'));
      await dripSweep(db, [community], at('2026-11-16T17:00:00Z'), { asOf: true });
      await run(at('2026-11-17T02:00:30Z'));
      const left = await ingestEvent(db, community, inboundEvent('member.left', 'gone', '2026-11-17T03:00:00Z'));
      await reactTo(db, community, left.events[0], at('2026-11-17T03:00:01Z'));
      await dripSweep(db, [community], at('2026-11-18T17:00:00Z'), { asOf: true });
      await run(at('2026-11-19T02:00:30Z'));
      const week = (first: string) => Array.from({ length: 7 }, (_, i) => addDays(first, i));

      // Act
      const thisWeek = await dripCompletion(db, community, week('2026-11-16'));
      const weekBefore = await dripCompletion(db, community, week('2026-11-09'));

      // Assess: all three were welcomed; only 'done' was sent both steps ('quit' opted out, 'gone' left).
      expect(thisWeek).toEqual({ finished: 3, completed: 1 });
      expect(weekBefore).toEqual({ finished: 0, completed: 0 });
      expect(await getOutboxItem(db, community.id, 'onboarding#dripdone#quit#2026-11-16+1d')).toMatchObject({
        status: 'skipped',
        reason: 'member opted out',
      });
    });

    it('keeps the time of day of the join for drip steps across a DST change', async () => {
      // Prepare: joins at 10:00 EST on the day before New York moves to EDT.
      const community = communityConfig({ id: 'dst', timezone: 'America/New_York' });
      const joined = await joinAt(community, 'e', '2026-03-07T15:00:00Z');
      await reactTo(db, community, joined, at('2026-03-07T15:00:01Z'));

      // Act
      await dripSweep(db, [community], at('2026-03-08T12:00:00Z'), { asOf: true });

      // Assess: 10:00 EDT is 14:00Z.
      expect(await getOutboxItem(db, community.id, 'onboarding#dst#e#2026-03-07+1d')).toMatchObject({
        dueAt: '2026-03-08T14:00:00.000Z',
      });
    });

    it('sends a community template for a custom step, in the member locale', async () => {
      // Prepare
      const community = communityConfig({
        id: 'custom',
        timezone: 'UTC',
        locale: 'en',
        onboarding: { steps: [{ afterDays: 2, template: 'tour' }] },
        templates: {
          en: { tour: 'Day {days} in {community}: have you seen the showcase, {name}?' },
          'zh-CN': { tour: '{name}，这是你在{community}的第 {days} 天。' },
        },
      });
      const run = await dispatcherFor(community);
      const joined = await joinAt(community, 'zh', '2026-11-01T10:00:00Z', { name: '小明', locale: 'zh-CN' });
      await reactTo(db, community, joined, at('2026-11-01T10:00:01Z'));
      await dripSweep(db, [community], at('2026-11-03T01:00:00Z'), { asOf: true });
      sender.sent.length = 0;

      // Act
      await run(at('2026-11-03T10:00:30Z'));

      // Assess
      expect(sender.sent.map((m) => m.text)).toEqual(['小明，这是你在Acme Makers的第 2 天。']);
    });
  });

  describe('Inactivity win-back', () => {
    const WIN = communityConfig({ id: 'win', timezone: 'Asia/Shanghai' });

    beforeAll(async () => {
      await joinAt(WIN, 'quiet', '2026-09-01T02:00:00Z');
      await postAt(WIN, 'quiet', '2026-11-01T02:00:00Z');
      await joinAt(WIN, 'lurker', '2026-11-01T02:00:00Z');
      await joinAt(WIN, 'busy', '2026-09-01T02:00:00Z');
      await postAt(WIN, 'busy', '2026-11-01T02:00:00Z');
      await postAt(WIN, 'busy', '2026-11-10T02:00:00Z');
    });

    it('sends one win-back at the first rung, to the silent and to the never-posted past onboarding', async () => {
      // Act: 2026-11-15 in Shanghai, twice.
      const first = await winbackSweep(db, [WIN], at('2026-11-15T01:00:00Z'), { asOf: true });
      const again = await winbackSweep(db, [WIN], at('2026-11-15T05:00:00Z'), { asOf: true });
      const nextDay = await winbackSweep(db, [WIN], at('2026-11-16T01:00:00Z'), { asOf: true });

      // Assess
      expect(first.queued).toBe(2);
      expect(again.queued).toBe(0);
      expect(nextDay.queued).toBe(0);
      expect(ids(await outboxOf(WIN, 'winback#'))).toEqual([
        'winback#win#lurker#2026-11-01+14d',
        'winback#win#quiet#2026-11-01+14d',
      ]);
      // Due at 10:00 local, with the days in the text.
      expect(await getOutboxItem(db, WIN.id, 'winback#win#quiet#2026-11-01+14d')).toMatchObject({
        dueAt: '2026-11-15T02:00:00.000Z',
        delivery: 'dm',
        vars: { days: '14' },
      });
    });

    it('sends one more at the last rung and none after it', async () => {
      // Act
      const rung30 = await winbackSweep(db, [WIN], at('2026-12-01T01:00:00Z'), { asOf: true });
      const after = await winbackSweep(db, [WIN], at('2026-12-31T01:00:00Z'), { asOf: true });

      // Assess
      expect(rung30.queued).toBe(2);
      expect(after.queued).toBe(0);
      expect(ids(await outboxOf(WIN, 'winback#win#quiet#'))).toEqual([
        'winback#win#quiet#2026-11-01+14d',
        'winback#win#quiet#2026-11-01+30d',
      ]);
    });

    it('leaves a never-posted newcomer to the drip while it still speaks to them', async () => {
      // Prepare: a drip that runs for 20 days.
      const long = communityConfig({
        id: 'longdrip',
        timezone: 'UTC',
        onboarding: { steps: [{ afterDays: 20, template: 'onboarding.thisWeek' }] },
      });
      await joinAt(long, 'newbie', '2026-11-01T02:00:00Z');

      // Act
      const report = await winbackSweep(db, [long], at('2026-11-15T09:00:00Z'), { asOf: true });

      // Assess
      expect(report.found).toBe(1);
      expect(report.queued).toBe(0);
    });

    it('does not send a win-back to a member who spoke up between the decision and the send', async () => {
      // Prepare: decided at 01:00, due at 10:00 local; the member posts at 08:00.
      const community = communityConfig({ id: 'spoke', timezone: 'UTC' });
      const run = await dispatcherFor(community);
      await joinAt(community, 's', '2026-09-01T02:00:00Z');
      await postAt(community, 's', '2026-10-01T12:00:00Z');
      await winbackSweep(db, [community], at('2026-10-15T01:00:00Z'), { asOf: true });
      await postAt(community, 's', '2026-10-15T08:00:00Z');

      // Act
      const report = await run(at('2026-10-15T10:00:30Z'));

      // Assess
      expect(report).toMatchObject({ sent: 0, skipped: 1 });
      expect(await getOutboxItem(db, community.id, 'winback#spoke#s#2026-10-01+14d')).toMatchObject({
        status: 'skipped',
        reason: 'member active again',
      });
    });

    it('counts a member active within 7 days of a win-back as won back, once', async () => {
      // Prepare: send the win-back.
      const community = communityConfig({ id: 'success', timezone: 'UTC' });
      const run = await dispatcherFor(community);
      await joinAt(community, 'back', '2026-09-01T02:00:00Z');
      await postAt(community, 'back', '2026-10-01T12:00:00Z');
      await joinAt(community, 'gone', '2026-09-01T02:00:00Z');
      await postAt(community, 'gone', '2026-10-01T12:00:00Z');
      await winbackSweep(db, [community], at('2026-10-15T09:00:00Z'), { asOf: true });
      await run(at('2026-10-15T10:00:30Z'));

      // Act: one answers 3 days later, the other 9 days later.
      const answered = await postAt(community, 'back', '2026-10-18T12:00:00Z');
      const tooLate = await postAt(community, 'gone', '2026-10-24T12:00:00Z');
      const event = answered.events.find((e) => e.type === 'member.reactivated') as DomainEvent;
      const first = await recordWonBack(db, community, event);
      const repeat = await recordWonBack(db, community, event);

      // Assess
      expect(event).toMatchObject({ answers: { id: 'winback#success#back#2026-10-01+14d', kind: 'winback' } });
      expect(tooLate.events.find((e) => e.answers)).toBeUndefined();
      expect([first, repeat]).toEqual([true, false]);
      expect(await winbackTallies(db, community.id, '2026-10-01', '2026-10-31')).toEqual([
        { day: '2026-10-15', sent: 2, wonBack: 1 },
      ]);
      expect((await getMember(db, community.id, 'back'))?.awaiting).toBeUndefined();
    });
  });

  describe('Daily sweeps', () => {
    it('finish the other communities when one fails, keep its mark for the retry, and fail the run', async () => {
      // Prepare
      const good = communityConfig({ id: 'sweep-good', timezone: 'UTC' });
      const bad = communityConfig({ id: 'sweep-bad', timezone: 'UTC' });
      const decided: string[] = [];
      const decide = async (community: CommunityConfig) => {
        if (community.id === bad.id) throw new Error('boom');
        decided.push(community.id);
      };

      // Act
      const run = sweepDays(db, 'test-job', [bad, good], at('2026-11-20T01:00:00Z'), {}, () => true, decide);

      // Assess
      await expect(run).rejects.toThrow('test-job: 1 communities failed');
      expect(decided).toEqual(['sweep-good']);
      expect(await getSweepMark(db, 'test-job', good.id)).toBe('2026-11-20');
      expect(await getSweepMark(db, 'test-job', bad.id)).toBeUndefined();
    });
  });

  describe('Guardrails at send time', () => {
    it('holds a message during quiet hours without spending an attempt, and sends it when they end', async () => {
      // Prepare: win-backs due at 23:00 local (quiet hours 22:00–08:00).
      const community = communityConfig({ id: 'night', timezone: 'UTC', winback: { hour: 23 } });
      const run = await dispatcherFor(community);
      await joinAt(community, 'owl', '2026-09-01T02:00:00Z');
      await postAt(community, 'owl', '2026-10-01T12:00:00Z');
      await winbackSweep(db, [community], at('2026-10-15T09:00:00Z'), { asOf: true });
      sender.sent.length = 0;

      // Act
      const atNight = await run(at('2026-10-15T23:00:30Z'));
      const held = await getOutboxItem(db, community.id, 'winback#night#owl#2026-10-01+14d');
      const morning = await run(at('2026-10-16T08:00:30Z'));

      // Assess
      expect(atNight).toMatchObject({ sent: 0, deferred: 1 });
      expect(held).toMatchObject({
        status: 'pending',
        attempts: 0,
        dueAt: '2026-10-16T08:00:00.000Z',
        reason: 'quiet hours',
      });
      expect(morning.sent).toBe(1);
      expect(sender.sent.map((m) => m.memberId)).toEqual(['owl']);
    });

    it('holds quiet hours in the member time zone, not the community one', async () => {
      // Prepare: the community is in Shanghai (02:00), the member in New York (13:00).
      const community = communityConfig({ id: 'tz', timezone: 'Asia/Shanghai' });
      const run = await dispatcherFor(community);
      await joinAt(community, 'nyer', '2026-01-05T02:00:00Z', { birthday: '10-10', timezone: 'America/New_York' });
      await birthdaySweep(db, [community], at('2026-10-10T13:00:00Z'), { asOf: true });

      // Act
      const report = await run(at('2026-10-10T18:00:00Z'));

      // Assess
      expect(report.sent).toBe(1);
    });

    it('keeps to the frequency cap: a second message in a day waits 24 hours; the welcome is exempt', async () => {
      // Prepare: a birthday at 09:00 and a win-back at 10:00 on the same day.
      const community = communityConfig({ id: 'capped', timezone: 'UTC' });
      const run = await dispatcherFor(community);
      await joinAt(community, 'cap', '2026-09-01T02:00:00Z', { birthday: '10-15' });
      await postAt(community, 'cap', '2026-10-01T12:00:00Z');
      await birthdaySweep(db, [community], at('2026-10-15T09:00:00Z'), { asOf: true });
      await winbackSweep(db, [community], at('2026-10-15T09:00:00Z'), { asOf: true });
      sender.sent.length = 0;

      // Act
      const nine = await run(at('2026-10-15T09:00:30Z'));
      const ten = await run(at('2026-10-15T10:00:30Z'));
      const held = await getOutboxItem(db, community.id, 'winback#capped#cap#2026-10-01+14d');
      const nextDay = await run(at('2026-10-16T09:00:40Z'));

      // Assess
      expect(nine.sent).toBe(1);
      expect(ten).toMatchObject({ sent: 0, deferred: 1 });
      // A day after the greeting went (stamped with the run's clock, a moment after it started).
      expect(held).toMatchObject({ attempts: 0, reason: 'frequency cap' });
      expect(Date.parse(held?.dueAt as string) - Date.parse('2026-10-16T09:00:30Z')).toBeGreaterThanOrEqual(0);
      expect(Date.parse(held?.dueAt as string) - Date.parse('2026-10-16T09:00:30Z')).toBeLessThan(5_000);
      expect(nextDay.sent).toBe(1);
      expect(sender.sent.map((m) => m.kind)).toEqual(['birthday', 'winback']);
    });

    it('skips a birthday greeting the cap would push past the birthday', async () => {
      // Prepare: a win-back went out at 08:00; the greeting is due at 09:00 the same day.
      const community = communityConfig({ id: 'late', timezone: 'UTC', winback: { hour: 8 } });
      const run = await dispatcherFor(community);
      await joinAt(community, 'l', '2026-09-01T02:00:00Z', { birthday: '10-15' });
      await postAt(community, 'l', '2026-10-01T12:00:00Z');
      await winbackSweep(db, [community], at('2026-10-15T07:00:00Z'), { asOf: true });
      await run(at('2026-10-15T08:00:30Z'));
      await birthdaySweep(db, [community], at('2026-10-15T09:00:00Z'), { asOf: true });

      // Act
      const report = await run(at('2026-10-15T09:00:30Z'));

      // Assess
      expect(report.skipped).toBe(1);
      expect(await getOutboxItem(db, community.id, 'birthday#late#l#2026')).toMatchObject({
        status: 'skipped',
        reason: 'frequency cap until its day had passed',
      });
    });

    it('does not send to a member who opted out between the decision and the send', async () => {
      // Prepare
      const community = communityConfig({ id: 'optout', timezone: 'UTC' });
      const run = await dispatcherFor(community);
      await joinAt(community, 'o', '2026-01-05T02:00:00Z', { birthday: '08-08' });
      await birthdaySweep(db, [community], at('2026-08-08T09:00:00Z'), { asOf: true });
      await setPreference(db, community.id, 'o', { optedOut: true }, at('2026-08-08T09:00:10Z'));
      sender.sent.length = 0;

      // Act
      const report = await run(at('2026-08-08T09:00:30Z'));

      // Assess
      expect(report.skipped).toBe(1);
      expect(sender.sent).toEqual([]);
      expect(await getOutboxItem(db, community.id, 'birthday#optout#o#2026')).toMatchObject({
        status: 'skipped',
        reason: 'member opted out',
      });
    });

    it('sends each item once when two dispatchers run at once', async () => {
      // Prepare: twelve greetings due together.
      const community = communityConfig({ id: 'pair', timezone: 'UTC' });
      const run = await dispatcherFor(community);
      for (let i = 0; i < 12; i++) await joinAt(community, `p${i}`, '2026-01-05T02:00:00Z', { birthday: '09-09' });
      await birthdaySweep(db, [community], at('2026-09-09T09:00:00Z'), { asOf: true });
      sender.sent.length = 0;

      // Act
      const [a, b] = await Promise.all([run(at('2026-09-09T09:00:30Z')), run(at('2026-09-09T09:00:30Z'))]);

      // Assess
      expect(a.sent + b.sent).toBe(12);
      expect(new Set(sender.sent.map((m) => m.id)).size).toBe(12);
      expect(sender.sent).toHaveLength(12);
    });

    it('retries after a platform 429 and sends on the next try', async () => {
      // Prepare
      const community = communityConfig({ id: 'busy', timezone: 'UTC' });
      const run = await dispatcherFor(community);
      await joinAt(community, 'r', '2026-01-05T02:00:00Z', { birthday: '09-10' });
      await birthdaySweep(db, [community], at('2026-09-10T09:00:00Z'), { asOf: true });
      sender.sent.length = 0;
      sender.failFirst = 1;

      // Act
      const first = await run(at('2026-09-10T09:00:30Z'));
      const item = await getOutboxItem(db, community.id, 'birthday#busy#r#2026');
      const second = await run(new Date(Date.parse(item?.dueAt as string) + 1_000));

      // Assess
      expect(first).toMatchObject({ sent: 0, retried: 1 });
      expect(item).toMatchObject({ status: 'pending', attempts: 1, reason: 'slack: 429 rate limited' });
      expect(second.sent).toBe(1);
      expect(await getOutboxItem(db, community.id, 'birthday#busy#r#2026')).toMatchObject({ status: 'sent' });
    });

    it('records a dry run as what would have been sent, after the guardrails', async () => {
      // Prepare
      const community = communityConfig({ id: 'dry', timezone: 'UTC', dryRun: true });
      const run = await dispatcherFor(community);
      await joinAt(community, 'd', '2026-01-05T02:00:00Z', { birthday: '09-11' });
      await birthdaySweep(db, [community], at('2026-09-11T09:00:00Z'), { asOf: true });
      sender.sent.length = 0;

      // Act
      const report = await run(at('2026-09-11T09:00:30Z'));

      // Assess
      expect(report.skipped).toBe(1);
      expect(sender.sent).toEqual([]);
      expect(await getOutboxItem(db, community.id, 'birthday#dry#d#2026')).toMatchObject({
        status: 'skipped',
        reason: 'dry run',
      });
    });
  });
});
