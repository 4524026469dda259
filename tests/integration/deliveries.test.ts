import { beforeAll, describe, expect, it } from 'vitest';
import { outboxRetry } from '../../cli/commands/outbox';
import type { ChatMessage, ChatSender } from '../../shared/chat/sender';
import { CommunityCache, putCommunity } from '../../shared/store/communities';
import type { Db } from '../../shared/store/db';
import { deliveriesBetween, failedWaiting } from '../../shared/store/deliveries';
import { ingestEvent } from '../../shared/store/ingest';
import { enqueue, type OutboxDecision } from '../../shared/store/outbox';
import { setPreference } from '../../shared/store/preferences';
import { dispatch } from '../../shared/workflows/dispatch';
import { freshTable } from '../support/dynamo';
import { communityConfig, inboundEvent } from '../support/fixtures';

const at = (iso: string) => new Date(iso);

class Sender implements ChatSender {
  fail = false;
  sent: string[] = [];
  async send(message: ChatMessage): Promise<undefined> {
    if (this.fail) throw Object.assign(new Error('refused: channel_not_found'), { retryable: false });
    this.sent.push(message.id);
    return undefined;
  }
}

describe('The dispatcher counts what it did, for the digest', () => {
  let db: Db;
  const sender = new Sender();
  // UTC, quiet from 22:00 to 08:00.
  const c = communityConfig({ id: 'tally', timezone: 'UTC', onboarding: { enabled: false } });
  const run = (when: string) =>
    dispatch({ db, communities: new CommunityCache(db, 0), senderFor: () => sender }, at(when), { asOf: true });
  const item = (id: string, kind: string, memberId: string, dueAt: string): OutboxDecision => ({
    id: `${kind}#${c.id}#${memberId}#${id}`,
    communityId: c.id,
    kind,
    memberId,
    delivery: 'channel',
    vars: {},
    dueAt,
  });

  beforeAll(async () => {
    db = await freshTable('deliveries');
    await putCommunity(db, c, at('2026-11-01T00:00:00Z'));
    for (const id of ['ada', 'bo', 'cy']) {
      await ingestEvent(db, c, inboundEvent('member.joined', id, '2026-11-30T07:00:00Z'), {
        now: at('2026-11-30T07:00:00Z'),
      });
    }
    await setPreference(db, c.id, 'cy', { optedOut: true }, at('2026-11-30T07:30:00Z'));
  });

  it('counts sends by kind, each guardrail that held an item back once, and the failures that wait', async () => {
    // Prepare: a welcome (sent at once), a birthday greeting in quiet hours, a greeting to an opted-out member,
    // and one the platform refuses for good.
    await enqueue(db, item('1', 'welcome', 'ada', '2026-11-30T23:00:00Z'), at('2026-11-30T22:00:00Z'));
    await enqueue(db, item('2', 'birthday', 'bo', '2026-11-30T23:00:00Z'), at('2026-11-30T22:00:00Z'));
    await enqueue(db, item('3', 'birthday', 'cy', '2026-11-30T23:00:00Z'), at('2026-11-30T22:00:00Z'));

    // Act
    await run('2026-11-30T23:01:00Z');
    await run('2026-11-30T23:30:00Z');
    sender.fail = true;
    await enqueue(db, item('4', 'welcome', 'bo', '2026-11-30T23:40:00Z'), at('2026-11-30T23:40:00Z'));
    await run('2026-11-30T23:41:00Z');
    sender.fail = false;
    await run('2026-12-01T08:01:00Z');

    // Assess
    expect(await deliveriesBetween(db, c.id, '2026-11-30', '2026-11-30')).toEqual({
      sent: { welcome: 1 },
      held: { 'quiet hours': 1, 'member opted out': 1 },
      failed: 1,
    });
    expect(await deliveriesBetween(db, c.id, '2026-12-01', '2026-12-01')).toEqual({
      sent: { birthday: 1 },
      held: {},
      failed: 0,
    });
    expect(await failedWaiting(db, c.id)).toBe(1);
    expect(sender.sent).toEqual([`welcome#${c.id}#ada#1`, `birthday#${c.id}#bo#2`]);
  });

  it('no longer counts a failed item as waiting once an operator retries it', async () => {
    // Act
    const id = `welcome#${c.id}#bo#4`;
    const write = process.stdout.write;
    process.stdout.write = () => true;
    try {
      await outboxRetry({ db, mode: 'local-folder', dataDir: '/tmp', close: async () => undefined }, id, true);
    } finally {
      process.stdout.write = write;
    }

    // Assess
    expect(await failedWaiting(db, c.id)).toBe(0);
  });
});
