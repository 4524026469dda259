import { beforeAll, describe, expect, it } from 'vitest';
import type { CommunityConfig } from '../../shared/domain/config';
import type { InboundEvent } from '../../shared/domain/events';
import { snowflakeAt } from '../../shared/platforms/discord/snowflake';
import { TelegramSender } from '../../shared/platforms/telegram/outbound';
import { literalSecrets } from '../../shared/runtime/secrets';
import { CommunityCache, putCommunity } from '../../shared/store/communities';
import type { Db } from '../../shared/store/db';
import { deleteItem } from '../../shared/store/db';
import { ingestEvent } from '../../shared/store/ingest';
import { getMember } from '../../shared/store/members';
import { listOutbox } from '../../shared/store/outbox';
import { answerCommand, hearthCommand } from '../../shared/workflows/commands/decisions';
import { dispatch } from '../../shared/workflows/dispatch';
import { reactTo } from '../../shared/workflows/react';
import { attributeJoin, type ReferralFields, referralSweep } from '../../shared/workflows/referrals/decisions';
import {
  funnelOf,
  getInviteCode,
  inviteCodeFor,
  pendingReferrals,
  referrerTally,
  revokeInviteCode,
  stillPending,
} from '../../shared/workflows/referrals/store';
import { windowStats } from '../../shared/workflows/standing/rollup';
import type { StandingMember } from '../../shared/workflows/standing/store';
import { freshTable } from '../support/dynamo';
import { startTelegramApi } from '../support/fake-platform-apis';
import { communityConfig, inboundEvent } from '../support/fixtures';

const at = (iso: string) => new Date(iso);

describe('Referrals: attribution and qualification', () => {
  let db: Db;

  beforeAll(async () => {
    db = await freshTable('referrals');
  });

  const community = (id: string, overrides: Record<string, unknown> = {}) =>
    communityConfig({ id, timezone: 'UTC', onboarding: { enabled: false }, ...overrides });

  async function ingest(c: CommunityConfig, event: InboundEvent) {
    const result = await ingestEvent(db, c, event, { now: at(event.occurredAt) });
    const outcomes: Record<string, string>[] = [];
    for (const domainEvent of result.events) outcomes.push(await reactTo(db, c, domainEvent, at(event.occurredAt)));
    return outcomes;
  }

  const join = (c: CommunityConfig, memberId: string, when: string, extra: Record<string, unknown> = {}) =>
    ingest(c, inboundEvent('member.joined', memberId, when, extra));
  const say = (c: CommunityConfig, memberId: string, when: string) =>
    ingest(c, inboundEvent('message.posted', memberId, when));
  const leave = (c: CommunityConfig, memberId: string, when: string) =>
    ingest(c, inboundEvent('member.left', memberId, when));
  /** The sweep as of `when`: it decides the day before `when`'s day. */
  const sweepAt = (c: CommunityConfig, when: string) => referralSweep(db, [c], at(when), { asOf: true });

  const member = async (c: CommunityConfig, id: string) =>
    (await getMember(db, c.id, id)) as (StandingMember & ReferralFields) | undefined;

  it('attributes a join through a code exactly, once, and records the rest as unattributed with why', async () => {
    const c = community('attr');
    const code = await inviteCodeFor(db, c.id, 'ref', at('2026-03-01T08:00:00Z'));
    const revoked = await inviteCodeFor(db, c.id, 'old', at('2026-03-01T08:00:00Z'));
    await revokeInviteCode(db, c.id, revoked, at('2026-03-01T08:30:00Z'));
    await say(c, 'seen', '2026-03-01T08:40:00Z');

    const [outcome] = await join(c, 'ann', '2026-03-01T09:00:00Z', { referralCode: code });
    await join(c, 'ref', '2026-03-01T09:00:00Z', { referralCode: code });
    await join(c, 'unk', '2026-03-01T09:00:00Z', { referralCode: 'NOPE2345' });
    await join(c, 'rev', '2026-03-01T09:00:00Z', { referralCode: revoked });
    await join(c, 'seen', '2026-03-01T09:00:00Z', { referralCode: code });
    await join(c, 'none', '2026-03-01T09:00:00Z');
    // A rejoin through the code, after a first join without one, is never attributed.
    await leave(c, 'none', '2026-03-01T10:00:00Z');
    await join(c, 'none', '2026-03-01T11:00:00Z', { referralCode: code });

    expect(outcome.referrals).toBe('attributed (exact)');
    expect((await member(c, 'ann'))?.referredBy).toEqual({
      memberId: 'ref',
      source: 'generic:code',
      confidence: 'exact',
      code,
    });
    const why = async (id: string) => {
      const m = await member(c, id);
      return [m?.referredBy, m?.referral?.status, m?.referral?.reason];
    };
    expect(await why('ref')).toEqual([null, 'unattributed', 'self-referral']);
    expect(await why('unk')).toEqual([null, 'unattributed', 'unknown code']);
    expect(await why('rev')).toEqual([null, 'unattributed', 'revoked code']);
    expect(await why('seen')).toEqual([null, 'unattributed', 'seen before']);
    expect(await why('none')).toEqual([null, 'unattributed', 'no referral']);
    expect((await referrerTally(db, c.id, 'ref')).joined).toEqual(new Set(['ann']));
    expect(await funnelOf(db, c.id, '2026-W09')).toMatchObject({ issued: 2, joined: 1, unattributed: 4 });
  });

  it('records the inviter a platform names as declared, and a guess as probable', async () => {
    const c = community('declared');
    await join(c, 'ann', '2026-03-01T09:00:00Z', { invitedBy: 'ref', referralConfidence: 'declared' });
    await join(c, 'bo', '2026-03-01T09:00:00Z', { invitedBy: 'ref', referralConfidence: 'probable' });

    expect((await member(c, 'ann'))?.referredBy).toEqual({
      memberId: 'ref',
      source: 'generic:inviter',
      confidence: 'declared',
    });
    expect((await member(c, 'bo'))?.referredBy?.confidence).toBe('probable');
  });

  it('qualifies on the last day of the window, credits the referrer once and thanks them', async () => {
    const c = community('window');
    const code = await inviteCodeFor(db, c.id, 'ref', at('2026-03-01T08:00:00Z'));
    await join(c, 'late', '2026-03-01T09:00:00Z', { referralCode: code });
    await join(c, 'later', '2026-03-01T09:00:00Z', { referralCode: code });
    // Both are active on the join day; Late again on day 14 (2026-03-14), Later on day 15.
    await say(c, 'late', '2026-03-01T10:00:00Z');
    await say(c, 'later', '2026-03-01T10:00:00Z');
    await say(c, 'late', '2026-03-14T10:00:00Z');
    await say(c, 'later', '2026-03-15T10:00:00Z');

    for (const day of ['2026-03-02', '2026-03-14']) await sweepAt(c, `${day}T00:30:00Z`);
    expect((await member(c, 'late'))?.referral?.status).toBe('pending');
    const report = await sweepAt(c, '2026-03-15T00:30:00Z');
    await sweepAt(c, '2026-03-15T00:30:00Z');
    await sweepAt(c, '2026-03-16T00:30:00Z');

    expect(report).toMatchObject({ qualified: 1, expired: 1 });
    expect((await member(c, 'late'))?.referral).toMatchObject({ status: 'qualified', decidedOn: '2026-03-14' });
    expect((await member(c, 'later'))?.referral?.status).toBe('expired');
    const ref = await member(c, 'ref');
    expect(ref?.points).toBe(20);
    expect(ref?.referralsQualified).toBe(1);
    expect([...(ref?.badges ?? [])]).toEqual(['first-referral']);
    expect((await windowStats(db, c.id, 'ref', '2026-03-14')).referrals).toBe(1);
    const thanks = (await listOutbox(db, c.id)).filter((item) => item.kind === 'referral.thanks');
    expect(thanks.map((item) => [item.memberId, item.delivery])).toEqual([['ref', 'dm']]);
  });

  it('never qualifies a referred member who left before qualifying, even after a rejoin', async () => {
    const c = community('left');
    const code = await inviteCodeFor(db, c.id, 'ref', at('2026-03-01T08:00:00Z'));
    await join(c, 'ann', '2026-03-01T09:00:00Z', { referralCode: code });
    await say(c, 'ann', '2026-03-01T10:00:00Z');
    await leave(c, 'ann', '2026-03-02T09:00:00Z');
    await join(c, 'ann', '2026-03-03T09:00:00Z', { referralCode: code });
    await say(c, 'ann', '2026-03-03T10:00:00Z');

    await sweepAt(c, '2026-03-04T00:30:00Z');

    expect((await member(c, 'ann'))?.referral?.status).toBe('lost');
    expect((await member(c, 'ref'))?.points).toBeUndefined();
    expect((await referrerTally(db, c.id, 'ref')).lost).toEqual(new Set(['ann']));
  });

  it('qualifies at most maxQualifiedPerDay of one referrer on one day, and caps the rest', async () => {
    const c = community('cap', { referrals: { maxQualifiedPerDay: 2, qualify: { activeDays: 1 } } });
    const code = await inviteCodeFor(db, c.id, 'ref', at('2026-03-01T08:00:00Z'));
    for (const id of ['a1', 'a2', 'a3']) {
      await join(c, id, '2026-03-01T09:00:00Z', { referralCode: code });
      await say(c, id, '2026-03-01T10:00:00Z');
    }

    const report = await sweepAt(c, '2026-03-02T00:30:00Z');

    expect(report).toMatchObject({ qualified: 2, capped: 1 });
    const tally = await referrerTally(db, c.id, 'ref');
    expect([tally.qualified.size, tally.capped.size]).toEqual([2, 1]);
    expect((await member(c, 'ref'))?.points).toBe(40);
  });

  it('rejects a Discord account younger than minAccountAgeDays at its join', async () => {
    const c = community('discord', {
      platform: { kind: 'discord', publicKey: 'a'.repeat(64), applicationId: '1', botToken: 'token' },
      referrals: { qualify: { activeDays: 1 } },
    });
    const joinedAt = '2026-03-01T09:00:00Z';
    const young = snowflakeAt(at('2026-02-27T09:00:00Z'));
    const old = snowflakeAt(at('2025-01-01T00:00:00Z'));
    for (const id of [young, old]) {
      await join(c, id, joinedAt, { invitedBy: 'ref', referralConfidence: 'probable' });
      await say(c, id, '2026-03-01T10:00:00Z');
    }

    await sweepAt(c, '2026-03-02T00:30:00Z');

    expect((await member(c, young))?.referral).toMatchObject({ status: 'rejected', reason: 'account too young' });
    expect((await member(c, old))?.referral?.status).toBe('qualified');
  });

  it('answers /invite on Telegram with one invite link per referrer, named after the code, and attributes a join through it', async () => {
    // Prepare
    const botToken = '7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
    const api = await startTelegramApi({ botToken });
    const c = community('tg', {
      platform: {
        kind: 'telegram',
        secretToken: 'secret-token',
        botToken,
        chatId: '-1001234567890',
        apiBaseUrl: api.baseUrl,
      },
    });
    await putCommunity(db, c, at('2026-03-01T00:00:00Z'));
    const deps = {
      db,
      communities: new CommunityCache(db, 0),
      senderFor: () => new TelegramSender(c.platform as never, literalSecrets),
    };
    const ask = async (id: string, when: string) => {
      const event = inboundEvent('message.posted', '111', when, { id, text: '/invite', channelId: '-1001234567890' });
      if (event.type !== 'message.posted') throw new Error('not a message');
      await answerCommand(db, c, event, hearthCommand(event, c) as never, { now: at(when) });
      await dispatch(deps, at(when), { asOf: true });
    };

    try {
      // Act
      await ask('ask-1', '2026-03-01T09:00:00Z');
      await ask('ask-2', '2026-03-01T09:05:00Z');
      const creates = api.requests.filter((r) => r.path.endsWith('/createChatInviteLink'));
      const texts = api.requests.filter((r) => r.path.endsWith('/sendMessage')).map((r) => String(r.body?.text));
      const code = (await member(c, '111'))?.inviteCode as string;
      // The chat_member update of a join through the link carries its name: the code.
      await join(c, '222', '2026-03-01T10:00:00Z', { referralCode: code });

      // Assess
      expect(creates.map((r) => r.body)).toEqual([{ chat_id: '-1001234567890', name: code }]);
      expect(texts).toHaveLength(2);
      const link = /https:\/\/t\.me\/\+fake\d+/.exec(texts[0])?.[0];
      expect(link).toBeDefined();
      expect(texts[1]).toContain(link);
      expect((await member(c, '222'))?.referredBy).toEqual({
        memberId: '111',
        source: 'telegram:code',
        confidence: 'exact',
        code,
      });
    } finally {
      await api.close();
    }
  });

  it('decides nothing of a join after the day it decides, and then decides the days after it as usual', async () => {
    const c = community('midnight', { referrals: { qualify: { activeDays: 1 } } });
    const code = await inviteCodeFor(db, c.id, 'ref', at('2026-03-01T08:00:00Z'));
    // Joins 10 minutes into 2 March; the run at 00:25 decides 1 March.
    await join(c, 'ann', '2026-03-02T00:10:00Z', { referralCode: code });
    await say(c, 'ann', '2026-03-02T00:15:00Z');

    const early = await referralSweep(db, [c], at('2026-03-02T00:25:00Z'));
    const next = await referralSweep(db, [c], at('2026-03-03T00:25:00Z'));

    expect(early).toMatchObject({ communities: 1, qualified: 0 });
    expect(next).toMatchObject({ qualified: 1 });
    expect((await member(c, 'ann'))?.referral?.status).toBe('qualified');
  });

  it('counts an expired or rejected referral as decided, never as pending', async () => {
    const c = community('decided');
    const code = await inviteCodeFor(db, c.id, 'ref', at('2026-03-01T08:00:00Z'));
    await join(c, 'quiet', '2026-03-01T09:00:00Z', { referralCode: code });
    await join(c, 'robot', '2026-03-01T09:00:00Z', { referralCode: code, member: { id: 'robot', isBot: true } });
    await say(c, 'robot', '2026-03-01T10:00:00Z');

    const report = await sweepAt(c, '2026-03-15T00:30:00Z');

    expect(report).toMatchObject({ expired: 1, rejected: 1, qualified: 0 });
    expect((await member(c, 'robot'))?.referral).toMatchObject({ status: 'rejected', reason: 'a bot' });
    expect((await member(c, 'ref'))?.points).toBeUndefined();
    const tally = await referrerTally(db, c.id, 'ref');
    expect(stillPending(tally)).toEqual([]);
    expect(await pendingReferrals(db, c.id)).toEqual([]);
  });

  it('finishes an attribution when the join is delivered again after a failure part-way', async () => {
    const c = community('resume');
    const code = await inviteCodeFor(db, c.id, 'ref', at('2026-03-01T08:00:00Z'));
    const event = inboundEvent('member.joined', 'ann', '2026-03-01T09:00:00Z', { referralCode: code });
    const result = await ingestEvent(db, c, event, { now: at(event.occurredAt) });
    const [joined] = result.events;
    await attributeJoin(db, c, joined);
    // As if the delivery had failed after the member's write: the pending referral was never written.
    await deleteItem(db, { pk: `C#${c.id}#REFPEND`, sk: 'ann' });

    const again = await attributeJoin(db, c, joined);

    expect(again).toBe('resumed');
    expect((await pendingReferrals(db, c.id)).map((p) => p.memberId)).toEqual(['ann']);
    expect((await referrerTally(db, c.id, 'ref')).joined).toEqual(new Set(['ann']));
    expect((await funnelOf(db, c.id, '2026-W09')).joined).toBe(1);
  });

  it('gives a member a new code after theirs is revoked', async () => {
    const c = community('revoke');
    const first = await inviteCodeFor(db, c.id, 'ref', at('2026-03-01T08:00:00Z'));
    await revokeInviteCode(db, c.id, first, at('2026-03-01T08:30:00Z'));

    const second = await inviteCodeFor(db, c.id, 'ref', at('2026-03-01T09:00:00Z'));
    const again = await inviteCodeFor(db, c.id, 'ref', at('2026-03-01T09:30:00Z'));

    expect(second).not.toBe(first);
    expect(again).toBe(second);
    expect((await getInviteCode(db, c.id, second))?.memberId).toBe('ref');
    expect((await member(c, 'ref'))?.inviteCode).toBe(second);
  });

  it('congratulates a referrer whose qualified referral takes them to a new level', async () => {
    const c = community('levelup', { points: { levelUp: 'dm' }, referrals: { qualify: { activeDays: 1 } } });
    const code = await inviteCodeFor(db, c.id, 'ref', at('2026-03-01T08:00:00Z'));
    await join(c, 'ann', '2026-03-01T09:00:00Z', { referralCode: code });
    await say(c, 'ann', '2026-03-01T10:00:00Z');

    await sweepAt(c, '2026-03-02T00:30:00Z');

    const levelUps = (await listOutbox(db, c.id)).filter((item) => item.kind === 'level.up');
    // 20 points: level 2 at 10.
    expect(levelUps.map((item) => [item.memberId, item.vars.level])).toEqual([['ref', '2']]);
  });
});
