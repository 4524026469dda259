import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCommunity } from '../../demo/community';
import { replay } from '../../demo/replay';
import { getCommunity } from '../../shared/store/communities';
import type { Db } from '../../shared/store/db';
import { getMember, getMemberWithTotals } from '../../shared/store/members';
import { forgetEverywhere } from '../../shared/workflows/forget';
import { getInviteCode } from '../../shared/workflows/referrals/store';
import { rejoinLeaderboard, type StandingMember } from '../../shared/workflows/standing/store';

type Item = Record<string, unknown> & { pk: string; sk: string };

/**
 * What this test calls a member's personal data, on its own (not the code's lists): on their member item,
 * who they are and how to reach them, their code and their public place; on an invite code, whose it is;
 * on a day row of theirs, when they were active and whom they answered.
 */
const ON_MEMBER = ['name', 'birthday', 'timezone', 'locale', 'inviteCode', 'bdayPk', 'rankPk'];
const ON_DAY_ROW = ['msgAt', 'reactAt', 'joinAt', 'credits'];

/** Every item, read whole: a test's view of the table, not a production path. */
async function everyItem(db: Db): Promise<Item[]> {
  const items: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.doc.send(new ScanCommand({ TableName: db.table, ExclusiveStartKey: start }));
    items.push(...((page.Items ?? []) as Item[]));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** `pk sk: attribute, …` for each item that holds some of the member's personal data. */
function personalData(items: Item[], communityId: string, memberId: string): string[] {
  const found: string[] = [];
  for (const item of items) {
    const held =
      item.sk === `M#${memberId}` && item.pk === `C#${communityId}`
        ? ON_MEMBER.filter((a) => item[a] !== undefined)
        : item.memberDaysPk === `C#${communityId}#M#${memberId}`
          ? ON_DAY_ROW.filter((a) => item[a] !== undefined)
          : item.pk === `C#${communityId}#REF` && item.memberId === memberId
            ? ['memberId']
            : [];
    if (held.length) found.push(`${item.pk} ${item.sk}: ${held.join(', ')}`);
  }
  return found.sort();
}

describe('member forget, after weeks of a community', () => {
  let folder: string;
  let db: Db;
  let stop: () => Promise<void>;
  let communityId: string;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'hearth-forget-'));
    const community = generateCommunity({ members: 40, weeks: 2, seed: 12 });
    const run = await replay(community, { dataDir: folder, until: community.end.plus({ days: 1 }) });
    ({ db, stop } = run);
    communityId = community.config.id as string;
  }, 240_000);

  afterAll(async () => {
    await stop?.();
    await rm(folder, { recursive: true, force: true });
  });

  it('erases every item of personal data in every workflow, keeps the counts, and finds nothing the second time', async () => {
    // Arrange: the member with the most personal data, one with an invite code and a place on the leaderboard.
    const before = await everyItem(db);
    const members = before.filter((i) => i.pk === `C#${communityId}` && String(i.sk).startsWith('M#'));
    const candidates = members.filter((m) => m.inviteCode && m.rankPk && m.name && m.timezone);
    const ranked = candidates
      .map((m) => ({ id: m.id as string, held: personalData(before, communityId, m.id as string).length }))
      .sort((a, b) => b.held - a.held);
    expect(ranked.length).toBeGreaterThan(0);
    const memberId = ranked[0].id;
    const held = personalData(before, communityId, memberId);
    const code = members.find((m) => m.id === memberId)?.inviteCode as string;
    const totals = await getMemberWithTotals(db, communityId, memberId);
    const community = await getCommunity(db, communityId);
    if (!community) throw new Error('no community');
    // Each kind is there to be erased: the member item, an invite code, and day rows with times.
    expect(held.filter((line) => line.startsWith(`C#${communityId} M#`))).toHaveLength(1);
    expect(held.some((line) => line.startsWith(`C#${communityId}#REF ${code}`))).toBe(true);
    expect(held.filter((line) => line.includes('msgAt')).length).toBeGreaterThan(1);

    // Act
    const erased = await forgetEverywhere(db, community, memberId, new Date());
    const again = await forgetEverywhere(db, community, memberId, new Date());

    // Assess
    const after = await everyItem(db);
    expect(personalData(after, communityId, memberId)).toEqual([]);
    expect(erased).toEqual(
      expect.arrayContaining([
        `invite code ${code}`,
        'place on the leaderboard',
        expect.stringMatching(/^activity times on \d+ day rows$/),
        expect.stringMatching(/^member fields name, .*timezone/),
      ]),
    );
    expect(again).toEqual([]);
    // Counts stay: messages, replies, reactions, active days and points.
    const kept = await getMemberWithTotals(db, communityId, memberId);
    expect(kept).toMatchObject({
      messages: totals?.messages,
      replies: totals?.replies,
      reactions: totals?.reactions,
      activeDays: totals?.activeDays,
      points: (totals as { points?: number }).points,
      optedOut: true,
    });
    // Off the leaderboard for good: a return, which puts a member back with the points they kept, does not.
    await rejoinLeaderboard(db, communityId, (await getMember(db, communityId, memberId)) as StandingMember);
    expect((await getMember(db, communityId, memberId)) as unknown as Record<string, unknown>).not.toHaveProperty(
      'rankPk',
    );
    // The code is kept revoked, so it is never anyone else's, and names no one.
    expect(await getInviteCode(db, communityId, code)).toMatchObject({ code, revokedAt: expect.any(String) });
    expect((await getInviteCode(db, communityId, code))?.memberId).toBeUndefined();
    // Nothing else changed: every other member's items are as they were.
    const theirs = new Set(before.filter((i) => JSON.stringify(i).includes(memberId)).map((i) => `${i.pk} ${i.sk}`));
    const others = (items: Item[]) => items.filter((i) => !theirs.has(`${i.pk} ${i.sk}`)).map((i) => JSON.stringify(i));
    expect(others(after).sort()).toEqual(others(before).sort());
  });
});
