import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { asLocalFunction } from '../../infra/local/functions';
import { functionDefinition } from '../../infra/topology';
import {
  type ChatSender,
  FileChatSender,
  NoSenderError,
  RetryLaterError,
  sendTimeLeft,
} from '../../shared/chat/sender';
import type { CommunityConfig } from '../../shared/domain/config';
import { inboundEventSchema } from '../../shared/domain/events';
import type { DomainEvent } from '../../shared/events/domain-events';
import { CommunityCache, putCommunity } from '../../shared/store/communities';
import type { Db } from '../../shared/store/db';
import { ingestEvent } from '../../shared/store/ingest';
import { memberKey } from '../../shared/store/keys';
import { getMember } from '../../shared/store/members';
import { enqueue, getOutboxItem, listOutbox, type OutboxDecision } from '../../shared/store/outbox';
import { setPreference } from '../../shared/store/preferences';
import { backoffMs, type DispatchDeps, dispatch, MAX_ATTEMPTS, SEND_BUDGET_MS } from '../../shared/workflows/dispatch';
import { forgetEverywhere } from '../../shared/workflows/forget';
import { createDispatcherHandler } from '../../shared/workflows/handlers';
import { WELCOME_WINDOW_MS } from '../../shared/workflows/onboarding/decisions';
import { reactTo } from '../../shared/workflows/react';
import { freshTable } from '../support/dynamo';
import { communityConfig } from '../support/fixtures';
import { RecordingSender } from '../support/senders';

const NOW = new Date('2026-11-25T17:30:00.000Z');
/** NOW is 01:30 on 2026-11-26 in Shanghai. */
const JOIN_DAY = '2026-11-26';

const ACME = communityConfig({
  locale: 'en',
  onboarding: { channel: 'welcome-hall', rulesUrl: 'https://acme.example/rules' },
});
const DRY = communityConfig({ id: 'dry', name: 'Dry Runners', timezone: 'UTC', dryRun: true });

const minutes = (n: number, from: Date = NOW) => new Date(from.getTime() + n * 60_000);

class FailingSender implements ChatSender {
  calls = 0;
  constructor(private readonly error: () => Error) {}
  async send(): Promise<undefined> {
    this.calls++;
    throw this.error();
  }
}

let seq = 0;

/** Join `memberId` through ingest, as the webhook would; returns the member.joined domain event. */
async function join(
  db: Db,
  community: CommunityConfig,
  memberId: string,
  at: Date,
  profile: Record<string, unknown> = {},
): Promise<DomainEvent> {
  const event = inboundEventSchema.parse({
    id: `join-${++seq}`,
    type: 'member.joined',
    occurredAt: at.toISOString(),
    member: { id: memberId, ...profile },
  });
  const result = await ingestEvent(db, community, event);
  const joined = result.events.find((e) => e.type === 'member.joined');
  if (!joined) throw new Error('join produced no member.joined event');
  return joined;
}

async function leave(db: Db, community: CommunityConfig, memberId: string, at: Date): Promise<DomainEvent> {
  const event = inboundEventSchema.parse({
    id: `leave-${++seq}`,
    type: 'member.left',
    occurredAt: at.toISOString(),
    member: { id: memberId },
  });
  const result = await ingestEvent(db, community, event);
  const left = result.events.find((e) => e.type === 'member.left');
  if (!left) throw new Error('leave produced no member.left event');
  return left;
}

/** A welcome decision for a member, due at `dueAt`. */
const welcome = (memberId: string, dueAt: Date, community: CommunityConfig = ACME): OutboxDecision => ({
  id: `welcome#${community.id}#${memberId}#${JOIN_DAY}`,
  communityId: community.id,
  kind: 'welcome',
  memberId,
  delivery: 'channel',
  channel: 'welcome-hall',
  vars: {},
  dueAt: dueAt.toISOString(),
});

describe('Module: outbox', () => {
  let db: Db;

  beforeAll(async () => {
    db = await freshTable('outbox');
  });

  describe('Function: enqueue', () => {
    it('records a decision once: the second enqueue of the same id is refused', async () => {
      // Prepare
      const decision = welcome('o-once', NOW);

      // Act
      const first = await enqueue(db, decision, NOW);
      const second = await enqueue(db, { ...decision, dueAt: minutes(5).toISOString() }, minutes(1));

      // Assess
      expect(first).toBe(true);
      expect(second).toBe(false);
      const items = (await listOutbox(db, ACME.id)).filter((i) => i.memberId === 'o-once');
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({
        status: 'pending',
        attempts: 0,
        dueAt: NOW.toISOString(),
        createdAt: NOW.toISOString(),
      });
    });

    it('lets exactly one of concurrent enqueues of the same id win', async () => {
      // Prepare
      const decision = welcome('o-race', NOW);

      // Act
      const results = await Promise.all(Array.from({ length: 10 }, () => enqueue(db, decision, NOW)));

      // Assess
      expect(results.filter(Boolean)).toHaveLength(1);
    });
  });

  describe('Function: reactTo', () => {
    it('queues a welcome for a recent join, keyed by the join day in the community time zone', async () => {
      // Prepare
      const joined = await join(db, ACME, 'o-new', minutes(-10));

      // Act
      const outcome = await reactTo(db, ACME, joined, NOW);

      // Assess
      expect(outcome.onboarding).toBe('queued');
      const item = await getOutboxItem(db, ACME.id, `welcome#acme#o-new#${JOIN_DAY}`);
      expect(item).toMatchObject({
        kind: 'welcome',
        memberId: 'o-new',
        status: 'pending',
        delivery: 'channel',
        channel: 'welcome-hall',
        dueAt: NOW.toISOString(),
        attempts: 0,
      });
    });

    it('queues the welcome only once when the event is delivered twice', async () => {
      // Prepare
      const joined = await join(db, ACME, 'o-twice', minutes(-10));
      await reactTo(db, ACME, joined, NOW);

      // Act
      const again = await reactTo(db, ACME, joined, minutes(1));

      // Assess
      expect(again.onboarding).toBe('already-queued');
      expect((await listOutbox(db, ACME.id)).filter((i) => i.memberId === 'o-twice')).toHaveLength(1);
    });

    it('does not welcome a join older than 24 hours', async () => {
      // Prepare
      const joined = await join(db, ACME, 'o-old', new Date(NOW.getTime() - WELCOME_WINDOW_MS - 1000));

      // Act
      const outcome = await reactTo(db, ACME, joined, NOW);

      // Assess
      expect(outcome.onboarding).toBe('stale');
      expect((await listOutbox(db, ACME.id)).filter((i) => i.memberId === 'o-old')).toEqual([]);
    });

    it('welcomes a join 23 hours old', async () => {
      // Prepare
      const joined = await join(db, ACME, 'o-23h', minutes(-23 * 60));

      // Act
      const outcome = await reactTo(db, ACME, joined, NOW);

      // Assess
      expect(outcome.onboarding).toBe('queued');
    });

    it('does nothing when onboarding is disabled', async () => {
      // Prepare
      const off = { ...ACME, onboarding: { ...ACME.onboarding, enabled: false } };
      const joined = await join(db, off, 'o-off', minutes(-1));

      // Act
      const outcome = await reactTo(db, off, joined, NOW);

      // Assess
      expect(outcome.onboarding).toBe('disabled');
      expect((await listOutbox(db, ACME.id)).filter((i) => i.memberId === 'o-off')).toEqual([]);
    });

    it('cancels the pending welcome of a member who leaves', async () => {
      // Prepare
      const joined = await join(db, ACME, 'o-gone', minutes(-10));
      await reactTo(db, ACME, joined, NOW);
      const left = await leave(db, ACME, 'o-gone', minutes(5));

      // Act
      const outcome = await reactTo(db, ACME, left, minutes(6));

      // Assess
      expect(outcome.outbox).toBe('cancelled');
      const item = await getOutboxItem(db, ACME.id, `welcome#acme#o-gone#${JOIN_DAY}`);
      expect(item).toMatchObject({ status: 'skipped', reason: 'member left' });
      expect(item).not.toHaveProperty('duePk');
    });

    it('leaves other members’ welcomes alone when one leaves', async () => {
      // Prepare: o-a is a prefix of o-ab.
      await reactTo(db, ACME, await join(db, ACME, 'o-a', minutes(-10)), NOW);
      await reactTo(db, ACME, await join(db, ACME, 'o-ab', minutes(-10)), NOW);
      const left = await leave(db, ACME, 'o-a', minutes(5));

      // Act
      await reactTo(db, ACME, left, minutes(6));

      // Assess
      expect(await getOutboxItem(db, ACME.id, `welcome#acme#o-a#${JOIN_DAY}`)).toMatchObject({ status: 'skipped' });
      expect(await getOutboxItem(db, ACME.id, `welcome#acme#o-ab#${JOIN_DAY}`)).toMatchObject({ status: 'pending' });
    });

    it('ignores a leave with nothing pending, and other event types', async () => {
      // Prepare
      const left = await leave(db, ACME, 'o-never-welcomed', NOW);

      // Act
      const onLeave = await reactTo(db, ACME, left, NOW);
      const onUpdate = await reactTo(db, ACME, { ...left, type: 'member.updated' }, NOW);

      // Assess
      expect(onLeave).toEqual({ outbox: 'ignored', referrals: 'none', standing: 'none' });
      expect(onUpdate).toEqual({});
    });
  });
});

describe('Module: dispatch', () => {
  // The dispatcher keeps one watermark per table, so each test gets its own
  // table: a run at a later time in one test must not hide another's items.
  let db: Db;
  let sender: RecordingSender;
  let deps: DispatchDeps;

  beforeEach(async () => {
    db = await freshTable('dispatch');
    await putCommunity(db, ACME, NOW);
    await putCommunity(db, DRY, NOW);
    sender = new RecordingSender();
    deps = { db, communities: new CommunityCache(db), senderFor: () => sender };
  });

  /** A member who joined just now, with a welcome queued by onboarding. */
  async function welcomed(memberId: string, profile: Record<string, unknown> = {}, community = ACME) {
    const joined = await join(db, community, memberId, minutes(-5), profile);
    expect((await reactTo(db, community, joined, NOW)).onboarding).toBe('queued');
    const day = community.timezone === 'UTC' ? '2026-11-25' : JOIN_DAY;
    return `welcome#${community.id}#${memberId}#${day}`;
  }

  describe('Function: dispatch', () => {
    it('sends a due welcome once and records it', async () => {
      // Prepare
      const id = await welcomed('d-ada', { name: 'Ada' });

      // Act
      const report = await dispatch(deps, minutes(1));

      // Assess
      expect(report).toMatchObject({ sent: 1, skipped: 0, retried: 0, failed: 0 });
      expect(sender.sent).toEqual([
        {
          id,
          communityId: 'acme',
          platform: 'generic',
          kind: 'welcome',
          memberId: 'd-ada',
          delivery: 'channel',
          channel: 'welcome-hall',
          text: expect.stringContaining('Ada'),
          memberName: 'Ada',
          mention: true,
          dmFallback: true,
        },
      ]);
      expect(sender.sent[0].text).toContain('Acme Makers');
      expect(sender.sent[0].text).toContain('https://acme.example/rules');
      const item = await getOutboxItem(db, ACME.id, id);
      expect(item).toMatchObject({ status: 'sent', sentAt: minutes(1).toISOString(), attempts: 1 });
      // Settled items expire after 90 days (TTL; the local reaper stands in for it).
      expect((item as unknown as { expiresAt: number }).expiresAt).toBe(
        Math.floor(minutes(1).getTime() / 1000) + 90 * 86_400,
      );
      expect(item).not.toHaveProperty('duePk');
      expect(item).not.toHaveProperty('leaseUntil');
    });

    it('sends nothing more on the next run', async () => {
      // Prepare
      await welcomed('d-once');
      await dispatch(deps, minutes(1));

      // Act
      const report = await dispatch(deps, minutes(2));

      // Assess
      expect(report.sent).toBe(0);
      expect(sender.sent).toHaveLength(1);
    });

    it('sends an item once when two runs race', async () => {
      // Prepare
      const id = await welcomed('d-race');

      // Act
      const reports = await Promise.all([dispatch(deps, minutes(1)), dispatch(deps, minutes(1))]);

      // Assess
      expect(reports.reduce((n, r) => n + r.sent, 0)).toBe(1);
      expect(sender.sent.map((m) => m.id)).toEqual([id]);
      expect(await getOutboxItem(db, ACME.id, id)).toMatchObject({ status: 'sent', attempts: 1 });
    });

    it('sends each of several items once when five runs race', async () => {
      // Prepare
      const ids = await Promise.all(['d-r1', 'd-r2', 'd-r3'].map((m) => welcomed(m)));

      // Act
      await Promise.all(Array.from({ length: 5 }, () => dispatch(deps, minutes(1))));

      // Assess
      expect(sender.sent.map((m) => m.id).sort()).toEqual([...ids].sort());
    });

    it('waits for an item due in the future', async () => {
      // Prepare
      await join(db, ACME, 'd-later', minutes(-5));
      await join(db, ACME, 'd-next-hour', minutes(-5));
      await enqueue(db, welcome('d-later', minutes(10)), NOW);
      await enqueue(db, welcome('d-next-hour', minutes(150)), NOW);

      // Act
      const early = await dispatch(deps, minutes(9));
      const onTime = await dispatch(deps, minutes(10));
      const stillEarly = await dispatch(deps, minutes(149));
      const later = await dispatch(deps, minutes(151));

      // Assess
      expect(early.sent).toBe(0);
      expect(onTime.sent).toBe(1);
      expect(stillEarly.sent).toBe(0);
      expect(later.sent).toBe(1);
      expect(sender.sent.map((m) => m.memberId)).toEqual(['d-later', 'd-next-hour']);
    });

    it('reschedules a failed send with backoff, then parks it as failed after the last attempt', async () => {
      // Prepare
      const id = await welcomed('d-flaky');
      const failing = new FailingSender(() => new Error('platform down'));
      deps = { ...deps, senderFor: () => failing };

      // Act + Assess: the first failure is retried a minute later.
      const first = await dispatch(deps, minutes(1));
      expect(first).toMatchObject({ sent: 0, retried: 1, failed: 0 });
      let item = await getOutboxItem(db, ACME.id, id);
      expect(item).toMatchObject({
        status: 'pending',
        attempts: 1,
        reason: 'platform down',
        dueAt: new Date(minutes(1).getTime() + backoffMs(1)).toISOString(),
      });

      // Act + Assess: not before it is due again.
      const tooSoon = await dispatch(deps, minutes(1.5));
      expect(tooSoon.retried).toBe(0);
      expect(failing.calls).toBe(1);

      // Act + Assess: every further failure until the last attempt.
      for (let attempt = 2; attempt <= MAX_ATTEMPTS; attempt++) {
        await dispatch(deps, new Date(item?.dueAt as string));
        item = await getOutboxItem(db, ACME.id, id);
        expect(item?.attempts).toBe(attempt);
      }
      expect(item).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS, reason: 'platform down' });
      expect(item).not.toHaveProperty('duePk');
      expect(failing.calls).toBe(MAX_ATTEMPTS);

      // Act + Assess: a failed item is not tried again.
      await dispatch(deps, minutes(120));
      expect(failing.calls).toBe(MAX_ATTEMPTS);
    });

    it('goes when a platform’s Retry-After says, and Hearth’s own pacing costs no attempt', async () => {
      // Prepare
      const paced = await welcomed('d-paced');
      const limited = await welcomed('d-429');
      const retryAt = minutes(30);
      const failing = new FailingSender(() => new Error('unused'));
      deps = {
        ...deps,
        senderFor: () => ({
          async send(message) {
            failing.calls++;
            if (message.memberId === 'd-paced') throw new RetryLaterError('slack: paced', retryAt, false);
            throw new RetryLaterError('slack: 429', retryAt);
          },
        }),
      };

      // Act
      const report = await dispatch(deps, minutes(1));

      // Assess
      expect(report.retried).toBe(2);
      expect(await getOutboxItem(db, ACME.id, paced)).toMatchObject({
        status: 'pending',
        attempts: 0,
        dueAt: retryAt.toISOString(),
      });
      expect(await getOutboxItem(db, ACME.id, limited)).toMatchObject({
        status: 'pending',
        attempts: 1,
        dueAt: retryAt.toISOString(),
      });
    });

    it('gives each send a deadline within its lease and the run, less the time to record it', async () => {
      // Prepare
      await welcomed('d-deadline-1');
      await welcomed('d-deadline-2');
      const left: number[] = [];
      let runLeft = 40_000;
      const timed: ChatSender = {
        async send() {
          left.push(sendTimeLeft());
          runLeft = 200_000;
          return undefined;
        },
      };

      // Act
      await dispatch({ ...deps, senderFor: () => timed, timeLeftMs: () => runLeft }, minutes(1));

      // Assess: the run's 40 s, then the lease's 60 s, each less the 5 s margin.
      expect(left).toHaveLength(2);
      expect(left[0]).toBeLessThanOrEqual(35_000);
      expect(left[0]).toBeGreaterThan(34_000);
      expect(left[1]).toBeLessThanOrEqual(55_000);
      expect(left[1]).toBeGreaterThan(54_000);
      expect(sendTimeLeft()).toBe(Number.POSITIVE_INFINITY);
    });

    it('claims nothing more once the run is short of time, and leaves the rest for the next run', async () => {
      // Prepare
      const first = await welcomed('d-budget-1');
      const second = await welcomed('d-budget-2');
      let left = 60_000;
      const slow: ChatSender = {
        async send(message) {
          sender.sent.push(message);
          left -= 40_000;
          return undefined;
        },
      };

      // Act
      const report = await dispatch({ ...deps, senderFor: () => slow, timeLeftMs: () => left }, minutes(1));

      // Assess
      expect(report).toMatchObject({ sent: 1, outOfTime: true });
      const statuses = [await getOutboxItem(db, ACME.id, first), await getOutboxItem(db, ACME.id, second)].map(
        (item) => item?.status,
      );
      expect(statuses.sort()).toEqual(['pending', 'sent']);
      expect(await dispatch({ ...deps, senderFor: () => slow }, minutes(2))).toMatchObject({
        sent: 1,
        outOfTime: false,
      });
    });

    it('stops claiming as a local invocation runs out of time, since its context counts down like Lambda’s', async () => {
      // Prepare: a dispatcher whose timeout leaves one second above the send budget, and sends of 300 ms.
      const ids = await Promise.all(Array.from({ length: 8 }, (_, i) => welcomed(`d-local-${i}`)));
      const slow: ChatSender = {
        async send(message) {
          sender.sent.push(message);
          await new Promise((resolve) => setTimeout(resolve, 300));
          return undefined;
        },
      };
      const definition = { ...functionDefinition('dispatcher'), timeoutSeconds: SEND_BUDGET_MS / 1000 + 1 };
      const invoke = asLocalFunction(
        'dispatcher',
        createDispatcherHandler({ ...deps, senderFor: () => slow }, () => minutes(1)),
        definition,
      );

      // Act
      const report = await invoke({ job: 'dispatch' });

      // Assess: about a second of sends, then the run ends with its report and the rest left pending.
      expect(report).toMatchObject({ outOfTime: true });
      expect(report.sent).toBeLessThanOrEqual(5);
      const items = await Promise.all(ids.map((id) => getOutboxItem(db, ACME.id, id)));
      const sentOfThese = items.filter((item) => item?.status === 'sent').length;
      expect(sentOfThese).toBeGreaterThanOrEqual(1);
      expect(items.filter((item) => item?.status === 'pending')).toHaveLength(8 - sentOfThese);
    });

    it('sends an item once when its dispatcher died between the send and its record (the file sink knows)', async () => {
      // Prepare: a process whose table goes away the moment its send returns, as a kill -9 there would do.
      const id = await welcomed('d-crash', { name: 'Cy' });
      const dir = await mkdtemp(joinPath(tmpdir(), 'hearth-crash-'));
      const file = joinPath(dir, 'chat.jsonl');
      let dead = false;
      const dying = {
        table: db.table,
        doc: {
          send: (command: unknown) => (dead ? Promise.reject(new Error('killed')) : db.doc.send(command as never)),
        },
      } as unknown as Db;
      const sink = new FileChatSender(file);
      const killedAfterSend: ChatSender = {
        async send(message, now) {
          await sink.send(message, now);
          dead = true;
          return undefined;
        },
      };

      try {
        // Act: the first run sends and records nothing; the next process runs after the lease has run out.
        await expect(
          dispatch({ db: dying, communities: new CommunityCache(dying), senderFor: () => killedAfterSend }, minutes(1)),
        ).rejects.toThrow('killed');
        const leftClaimed = await getOutboxItem(db, ACME.id, id);
        const next = await dispatch({ ...deps, senderFor: () => new FileChatSender(file) }, minutes(3));

        // Assess
        expect(leftClaimed).toMatchObject({ status: 'pending', attempts: 1 });
        expect(next).toMatchObject({ sent: 1 });
        expect(await getOutboxItem(db, ACME.id, id)).toMatchObject({ status: 'sent', attempts: 2 });
        const lines = (await readFile(file, 'utf8')).trim().split('\n');
        expect(lines.map((line) => JSON.parse(line).id)).toEqual([id]);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('parks an item at once when the sender says retrying cannot help', async () => {
      // Prepare
      const id = await welcomed('d-nosender');
      const failing = new FailingSender(() => new NoSenderError('no sender for generic'));
      deps = { ...deps, senderFor: () => failing };

      // Act
      const report = await dispatch(deps, minutes(1));

      // Assess
      expect(report).toMatchObject({ sent: 0, retried: 0, failed: 1 });
      expect(await getOutboxItem(db, ACME.id, id)).toMatchObject({
        status: 'failed',
        attempts: 1,
        reason: 'no sender for generic',
      });
      expect(failing.calls).toBe(1);
    });

    it('skips a member who opted out', async () => {
      // Prepare
      const id = await welcomed('d-optout');
      await db.doc.send(
        new UpdateCommand({
          TableName: db.table,
          Key: memberKey(ACME.id, 'd-optout'),
          UpdateExpression: 'SET optedOut = :yes',
          ExpressionAttributeValues: { ':yes': true },
        }),
      );

      // Act
      const report = await dispatch(deps, minutes(1));

      // Assess
      expect(report.skipped).toBe(1);
      expect(sender.sent).toEqual([]);
      expect(await getOutboxItem(db, ACME.id, id)).toMatchObject({ status: 'skipped', reason: 'member opted out' });
    });

    it('skips a member who left before the send', async () => {
      // Prepare: the leave is stored, but onboarding has not cancelled the welcome yet.
      const id = await welcomed('d-left');
      await leave(db, ACME, 'd-left', NOW);

      // Act
      const report = await dispatch(deps, minutes(1));

      // Assess
      expect(report.skipped).toBe(1);
      expect(sender.sent).toEqual([]);
      expect(await getOutboxItem(db, ACME.id, id)).toMatchObject({ status: 'skipped', reason: 'member left' });
      expect((await getMember(db, ACME.id, 'd-left'))?.status).toBe('left');
    });

    it('skips a bot, and a member never seen', async () => {
      // Prepare
      const bot = await welcomed('d-bot', { isBot: true });
      await enqueue(db, welcome('d-ghost', NOW), NOW);

      // Act
      const report = await dispatch(deps, minutes(1));

      // Assess
      expect(report.skipped).toBe(2);
      expect(sender.sent).toEqual([]);
      expect(await getOutboxItem(db, ACME.id, bot)).toMatchObject({ reason: 'member is a bot' });
      expect(await getOutboxItem(db, ACME.id, welcome('d-ghost', NOW).id)).toMatchObject({
        status: 'skipped',
        reason: 'member unknown',
      });
    });

    it('records but does not send in a dry-run community', async () => {
      // Prepare
      const id = await welcomed('d-dry', {}, DRY);

      // Act
      const report = await dispatch(deps, minutes(1));

      // Assess
      expect(report).toMatchObject({ sent: 0, skipped: 1 });
      expect(sender.sent).toEqual([]);
      expect(await getOutboxItem(db, DRY.id, id)).toMatchObject({ status: 'skipped', reason: 'dry run' });
    });

    it("writes in the member's locale, else the community's", async () => {
      // Prepare
      await welcomed('d-zh', { name: '小明', locale: 'zh-CN' });
      await welcomed('d-en', { name: 'Ada' });

      // Act
      await dispatch(deps, minutes(1));

      // Assess
      const text = (memberId: string) => sender.sent.find((m) => m.memberId === memberId)?.text ?? '';
      expect(text('d-zh')).toContain('欢迎加入Acme Makers');
      expect(text('d-zh')).toContain('小明');
      expect(text('d-en')).toMatch(/^Welcome to Acme Makers, Ada!/);
    });

    it('leaves the rules sentence out when the community has no rules URL', async () => {
      // Prepare
      await welcomed('d-norules', { name: 'Ada' }, DRY);
      const live = { ...DRY, id: 'live', name: 'Live Ones', dryRun: false };
      await putCommunity(db, live, NOW);
      await welcomed('d-live', { name: 'Bo' }, live);

      // Act
      await dispatch(deps, minutes(1));

      // Assess
      expect(sender.sent).toHaveLength(1);
      expect(sender.sent[0].text).toBe(
        'Welcome to Live Ones, Bo! Tell us a little about yourself and what brought you here.',
      );
      expect(sender.sent[0].channel).toBeNull();
    });

    it('parks an item it cannot render at once, and still delivers the items behind it', async () => {
      // Prepare: a kind whose workflow (and template) is not built yet, due before a welcome.
      await join(db, ACME, 'd-bday', minutes(-30));
      const birthday: OutboxDecision = {
        id: 'recognition#acme#d-bday#2026',
        communityId: ACME.id,
        kind: 'recognition',
        memberId: 'd-bday',
        delivery: 'channel',
        vars: {},
        dueAt: minutes(-10).toISOString(),
      };
      await enqueue(db, birthday, minutes(-10));
      const welcome = await welcomed('d-behind', { name: 'Cy' });

      // Act
      const report = await dispatch(deps, minutes(1));

      // Assess
      expect(report).toMatchObject({ sent: 1, failed: 1, retried: 0 });
      expect(await getOutboxItem(db, ACME.id, birthday.id)).toMatchObject({
        status: 'failed',
        attempts: 1,
        reason: 'no template for outbox kind recognition',
      });
      expect(sender.sent.map((m) => m.id)).toEqual([welcome]);
    });

    it('files a due time given with an offset under its UTC hour, so it is found when due', async () => {
      // Prepare: 01:40 in Shanghai is 17:40Z.
      await join(db, ACME, 'd-offset', minutes(-30));
      await enqueue(db, { ...welcome('d-offset', NOW), dueAt: '2026-11-26T01:40:00+08:00' }, NOW);

      // Act
      const early = await dispatch(deps, minutes(9));
      const due = await dispatch(deps, minutes(10));

      // Assess
      expect(early.sent).toBe(0);
      expect(due.sent).toBe(1);
      expect(await getOutboxItem(db, ACME.id, 'welcome#acme#d-offset#2026-11-26')).toMatchObject({
        dueAt: '2026-11-25T17:40:00.000Z',
        status: 'sent',
      });
    });

    it('sends an item once across an as-of run in the future and the scheduled run', async () => {
      // Prepare
      await dispatch(deps, minutes(-60));
      const id = await welcomed('d-travel', { name: 'Ada' });

      // Act: the dispatcher runs "as if" three days later (it sends the welcome), then the schedule fires.
      await dispatch(deps, minutes(3 * 24 * 60), { asOf: true });
      const scheduled = await dispatch(deps, minutes(1));

      // Assess
      expect(sender.sent.map((m) => m.id)).toEqual([id]);
      expect(scheduled.buckets).toBeGreaterThan(0);
    });

    it('finds an item the scheduled run has walked past, when it was already due at its decision', async () => {
      // Prepare: the watermark moves to NOW's hour; then an item is decided due an hour earlier.
      await dispatch(deps, NOW);
      await join(db, ACME, 'd-late', minutes(-90));
      await enqueue(db, { ...welcome('d-late', NOW), dueAt: minutes(-65).toISOString() }, NOW);

      // Act
      const report = await dispatch(deps, minutes(1));

      // Assess
      expect(report.sent).toBe(1);
      expect(sender.sent.map((m) => m.memberId)).toEqual(['d-late']);
    });

    it('keeps the schedule on time after an as-of run in the future', async () => {
      // Prepare
      await dispatch(deps, NOW);
      await dispatch(deps, minutes(5 * 24 * 60), { asOf: true });
      const id = await welcomed('d-after', { name: 'Bo' });

      // Act
      const report = await dispatch(deps, minutes(2));

      // Assess
      expect(report.sent).toBe(1);
      expect(sender.sent.map((m) => m.id)).toEqual([id]);
    });

    it('finds an item that lands in the previous hour after a run has read that hour', async () => {
      // Prepare: a run at 18:00:30 reads 17:00 and 18:00; then an item decided at 17:59:58 lands late in 17:00.
      const at = (iso: string) => new Date(iso);
      await dispatch(deps, at('2026-11-25T18:00:30Z'));
      await join(db, ACME, 'd-edge', at('2026-11-25T17:50:00Z'));
      await enqueue(db, { ...welcome('d-edge', NOW), dueAt: '2026-11-25T17:59:30.000Z' }, at('2026-11-25T17:59:58Z'));

      // Act
      const report = await dispatch(deps, at('2026-11-25T18:01:30Z'));

      // Assess
      expect(report.sent).toBe(1);
      expect(sender.sent.map((m) => m.memberId)).toEqual(['d-edge']);
    });

    it('keeps a send that outlived its lease from undoing the run that took the item over', async () => {
      // Prepare: A's send hangs past its lease; B claims the item, sends it, and only then A's send fails.
      const id = await welcomed('d-slow', { name: 'Ada' });
      let reportB: Awaited<ReturnType<typeof dispatch>> | undefined;
      const slowThenFail: ChatSender = {
        async send() {
          reportB = await dispatch(deps, minutes(5));
          throw new Error('socket hang up');
        },
      };

      // Act
      const reportA = await dispatch({ ...deps, senderFor: () => slowThenFail }, minutes(1));

      // Assess
      expect(reportB?.sent).toBe(1);
      expect(sender.sent.map((m) => m.id)).toEqual([id]);
      // A's failure was fenced off: nothing of A's run is counted.
      expect(reportA).toMatchObject({ retried: 0, failed: 0 });
      expect(await getOutboxItem(db, ACME.id, id)).toMatchObject({ status: 'sent', attempts: 2 });
    });

    it('does not cancel a welcome that is being sent when the member leaves', async () => {
      // Prepare
      const id = await welcomed('d-leaving', { name: 'Bo' });
      let cancelled: string | undefined;
      const leavesMidSend: ChatSender = {
        async send(message) {
          cancelled = (await reactTo(db, ACME, await leave(db, ACME, 'd-leaving', minutes(1)), minutes(1))).outbox;
          sender.sent.push(message);
          return undefined;
        },
      };

      // Act
      await dispatch({ ...deps, senderFor: () => leavesMidSend }, minutes(1));

      // Assess
      expect(cancelled).toBe('ignored');
      expect(await getOutboxItem(db, ACME.id, id)).toMatchObject({ status: 'sent' });
    });

    describe('a member who opts out, leaves or is forgotten while a send to them is in flight', () => {
      /** A welcome and a second message to the same member, both due; the change happens during the first send. */
      async function midSend(memberId: string, change: () => Promise<unknown>) {
        const first = await welcomed(memberId, { name: 'Ada Lovelace', timezone: 'Europe/London' });
        const second = `${first}~second`;
        const welcome = (await getOutboxItem(db, ACME.id, first)) as OutboxDecision;
        const copy = { ...welcome, id: second };
        expect(
          await enqueue(
            db,
            {
              id: second,
              communityId: copy.communityId,
              kind: copy.kind,
              memberId: copy.memberId,
              delivery: copy.delivery,
              channel: copy.channel,
              template: copy.template,
              vars: copy.vars,
              dueAt: copy.dueAt,
            },
            NOW,
          ),
        ).toBe(true);
        let changed = false;
        const changesMidSend: ChatSender = {
          async send(message) {
            if (!changed) {
              changed = true;
              await change();
            }
            sender.sent.push(message);
            return undefined;
          },
        };
        const report = await dispatch({ ...deps, senderFor: () => changesMidSend }, minutes(1));
        return { first, second, report };
      }

      it('finishes the send already going, records it once, and sends nothing after an opt-out', async () => {
        // Act
        const { first, second, report } = await midSend('d-mid-optout', () =>
          setPreference(db, ACME.id, 'd-mid-optout', { optedOut: true }, minutes(1)),
        );

        // Assess
        expect(sender.sent.map((m) => m.id)).toEqual([first]);
        expect(report).toMatchObject({ sent: 1, skipped: 1 });
        expect(await getOutboxItem(db, ACME.id, first)).toMatchObject({ status: 'sent', attempts: 1 });
        expect(await getOutboxItem(db, ACME.id, second)).toMatchObject({
          status: 'skipped',
          reason: 'member opted out',
        });
        expect(await dispatch(deps, minutes(2))).toMatchObject({ sent: 0 });
      });

      it('sends nothing after a leave, and the leave stands', async () => {
        // Act
        const { first, second } = await midSend('d-mid-leave', async () =>
          reactTo(db, ACME, await leave(db, ACME, 'd-mid-leave', minutes(1)), minutes(1)),
        );

        // Assess
        expect(sender.sent.map((m) => m.id)).toEqual([first]);
        expect((await getOutboxItem(db, ACME.id, second))?.status).toBe('skipped');
        expect((await getMember(db, ACME.id, 'd-mid-leave'))?.status).toBe('left');
      });

      it('sends nothing after a forget, and recording the send brings no personal data back', async () => {
        // Act
        const { first, second } = await midSend('d-mid-forget', () =>
          forgetEverywhere(db, ACME, 'd-mid-forget', minutes(1)),
        );

        // Assess
        expect(sender.sent.map((m) => m.id)).toEqual([first]);
        expect(await getOutboxItem(db, ACME.id, second)).toMatchObject({
          status: 'skipped',
          reason: 'member opted out',
        });
        const member = await getMember(db, ACME.id, 'd-mid-forget');
        expect(member).toMatchObject({ forgottenAt: expect.any(String), optedOut: true });
        expect(member?.name).toBeUndefined();
        expect(member?.timezone).toBeUndefined();
      });
    });
  });
});
