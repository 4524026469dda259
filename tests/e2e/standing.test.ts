import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signGeneric } from '../../shared/platforms/generic/inbound';
import { hearth, type RunningStack, startStack } from '../support/local-stack';

const SECRET = 'whsec_standing_e2e';

/** A community in UTC, so its local days are UTC days. */
const COMMUNITY = {
  id: 'std',
  name: 'Standing',
  timezone: 'UTC',
  webhookSecret: SECRET,
  platform: { kind: 'generic' },
  onboarding: { enabled: false },
  birthdays: { enabled: false },
};

describe('End to end: referrals, points and tiers through the local stack and the CLI', () => {
  let dataDir: string;
  let stack: RunningStack;
  let code: string;

  const post = async (event: Record<string, unknown>) => {
    const body = JSON.stringify(event);
    const response = await fetch(`${stack.info.webhookBaseUrl}/generic/std`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'hearth-signature': signGeneric(SECRET, body, new Date()) },
      body,
    });
    expect(response.status).toBe(200);
  };
  const json = async (...args: string[]) => {
    const result = await hearth(dataDir, ...args, '--json');
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout);
  };
  const message = (id: string, member: string, occurredAt: string, extra: Record<string, unknown> = {}) => ({
    id,
    type: 'message.posted',
    occurredAt,
    member: { id: member },
    channelId: 'general',
    ...extra,
  });

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hearth-e2e-standing-'));
    stack = await startStack(dataDir);
    await writeFile(join(dataDir, 'std.json'), JSON.stringify(COMMUNITY));
    expect((await hearth(dataDir, 'community', 'put', join(dataDir, 'std.json'))).code).toBe(0);
    ({ code } = await json('referrals', 'issue', 'std', 'ref'));
    // Monday 2026-11-02: Ref posts; Ann joins through Ref's code and posts; the moderator posts.
    await post(message('m-ref', 'ref', '2026-11-02T08:00:00Z'));
    await post({
      id: 'j-ann',
      type: 'member.joined',
      occurredAt: '2026-11-02T09:00:00Z',
      member: { id: 'ann' },
      referralCode: code,
    });
    await post(message('m-ann-1', 'ann', '2026-11-02T10:00:00Z', { replyTo: 'ref', replyToMessage: 'm-ref' }));
    await post(message('m-mod', 'mod', '2026-11-02T10:00:00Z', { member: { id: 'mod', isStaff: true } }));
    // Tuesday: Ann is active again (her second day: the referral qualifies), and reacts to Ref twice.
    for (let i = 0; i < 2; i++) {
      await post({
        id: `r-ann-${i}`,
        type: 'reaction.added',
        occurredAt: '2026-11-03T10:00:00Z',
        member: { id: 'ann' },
        toMemberId: 'ref',
        messageId: 'm-ref',
      });
    }
    // A webhook delivered twice.
    await post(message('m-ann-2', 'ann', '2026-11-03T10:05:00Z'));
    await post(message('m-ann-2', 'ann', '2026-11-03T10:05:00Z'));
    // The join reaches the workflows through the bus: wait until Ann's referral is recorded.
    for (let i = 0; i < 100; i++) {
      const ann = await json('member', 'show', 'std', 'ann');
      if (ann.referredBy) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('run referrals and run tiers fold the days; member show gives the standing and the attribution', async () => {
    // Act
    const referrals = await json('run', 'referrals', '--at', '2026-11-04T00:30:00Z');
    for (const when of ['2026-11-03T00:30:00Z', '2026-11-04T00:30:00Z']) await json('run', 'tiers', '--at', when);
    const ref = await json('member', 'show', 'std', 'ref');
    const ann = await json('member', 'show', 'std', 'ann');
    const mod = await json('member', 'show', 'std', 'mod');

    // Assess
    expect(referrals).toMatchObject({ job: 'referrals', qualified: 1 });
    // Ref: 1 (message) + 2 (Ann's reply) + 1 (one reaction of Ann's two to one message) + 20 (the referral).
    expect(ref).toMatchObject({
      points: 24,
      level: 2,
      badges: ['first-message', 'first-referral'],
      tier: 'regular',
      referralCode: code,
      referredBy: null,
      referrals: { joined: 1, qualified: 1, capped: 0 },
    });
    // Ann: two messages, once each although the second was delivered twice.
    expect(ann).toMatchObject({
      points: 2,
      level: 1,
      tier: 'regular',
      referredBy: { memberId: 'ref', source: 'generic:code', confidence: 'exact' },
      referrals: { joined: 0, qualified: 0, capped: 0 },
    });
    expect(mod).toMatchObject({ points: 0, tier: 'lurker', badges: [] });
  }, 90_000);

  it('lists referrers, the leaderboard and the tiers, all time and by week', async () => {
    // Act
    const referrers = await json('referrals', 'std');
    const weekReferrers = await json('referrals', 'std', '--week', '2026-W45');
    const board = await json('leaderboard', 'std');
    const weekBoard = await json('leaderboard', 'std', '--week', '2026-W45');
    const tiers = await json('tiers', 'std', '--week', '2026-W45');
    const badWeek = await hearth(dataDir, 'leaderboard', 'std', '--week', '2026-45', '--json');

    // Assess
    expect(referrers).toEqual([{ memberId: 'ref', code, joined: 1, qualified: 1, pending: 0 }]);
    expect(weekReferrers).toEqual(referrers);
    expect(board).toEqual([
      { memberId: 'ref', points: 24, level: 2, tier: 'regular' },
      { memberId: 'ann', points: 2, level: 1, tier: 'regular' },
    ]);
    // The week counts the points of its days; the referral's 20 are not a day's activity.
    expect(weekBoard.map((e: { memberId: string; points: number }) => [e.memberId, e.points])).toEqual([
      ['ref', 4],
      ['ann', 2],
    ]);
    expect(tiers).toEqual({
      distribution: { lurker: 0, newcomer: 0, regular: 2, active: 0, core: 0, champion: 0 },
      // Ref's first tier, and Ann's newcomer to regular (her join's newcomer is no move).
      promoted: 2,
      demoted: 0,
    });
    expect(badWeek.code).toBe(2);
    expect(badWeek.stderr + badWeek.stdout).toContain('--week');
  }, 90_000);

  it('answers /points with points, level, tier, rank and badges', async () => {
    // Act
    await post(message(`p-${Date.now()}`, 'ref', new Date().toISOString(), { text: '/points' }));
    let line: { text: string } | undefined;
    for (let i = 0; i < 50 && !line; i++) {
      await hearth(dataDir, 'run', 'dispatch');
      const lines = (await readFile(join(dataDir, 'outbox', 'chat.jsonl'), 'utf8').catch(() => ''))
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l));
      line = lines.find((l) => l.communityId === 'std' && l.kind === 'reply');
    }

    // Assess
    expect(line?.text).toBe(
      'ref, your points: 24. Level 2, regular, #1 in the community. Badges: First message, First referral.',
    );
  }, 90_000);

  it('previews the week as the digest counts it, staff left out, and refuses a period it cannot read', async () => {
    // Act
    const week = await json('digest', 'preview', '--community', 'std', '--week', '2026-W45');
    const both = await hearth(
      dataDir,
      'digest',
      'preview',
      '--community',
      'std',
      '--week',
      '2026-W45',
      '--month',
      '2026-11',
    );
    const bad = await hearth(dataDir, 'digest', 'preview', '--community', 'std', '--quarter', '2026-Q5', '--json');
    const files = { out: join(dataDir, 'w45.html'), eml: join(dataDir, 'w45.eml') };
    await json('digest', 'preview', '--community', 'std', '--week', '2026-W45', '--out', files.out, '--eml', files.eml);
    const html = await readFile(files.out, 'utf8');
    const eml = await readFile(files.eml, 'utf8');

    // Assess: Ref and Ann were active (the moderator is staff); three messages, two reactions, one join.
    expect(week).toMatchObject({
      period: '2026-W45',
      from: '2026-11-02',
      to: '2026-11-08',
      wau: 2,
      messages: 3,
      replies: 1,
      reactions: 2,
      joins: 1,
      // Ref's code was issued today, not in 2026-W45; Ann joined through it and qualified on 3 November.
      referrals: { codesIssued: 0, joinedThroughCode: 1, qualified: 1 },
      topContributors: [
        { memberId: 'ann', activities: 4 },
        { memberId: 'ref', activities: 1 },
      ],
    });
    expect(both.code).toBe(2);
    expect(bad.code).toBe(2);
    expect(bad.stdout + bad.stderr).toContain('--quarter');
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain('Weekly active');
    expect(eml).toContain('multipart/alternative');
    expect(eml).toMatch(/Subject: (=\?UTF-8\?Q\?)?Standing/);
  }, 90_000);
});
