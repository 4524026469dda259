import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCommunity } from '../../demo/community';
import { replay } from '../../demo/replay';
import { summarize } from '../../demo/summary';
import { parseCommunityConfig } from '../../shared/domain/config';
import { getMembers } from '../../shared/store/members';
import { listOutbox } from '../../shared/store/outbox';

/** A seed whose two weeks hold an opt-out, a leave, referrals, greetings, win-backs and a digest. */
const OPTIONS = { members: 40, weeks: 2, seed: 12 };

/** What one replay left: its summary, every outbox item's outcome, every chat line and mail, every member's standing. */
async function outcome(copies: number, folder: string) {
  const community = generateCommunity(OPTIONS);
  const config = parseCommunityConfig(community.config);
  const until = community.end.plus({ days: 1 });
  const run = await replay(community, { dataDir: folder, until, copies });
  try {
    const { digest: _paths, ...summary } = await summarize(
      run.db,
      config,
      { start: community.start, end: community.end, until: run.until },
      folder,
    );
    const items = (await listOutbox(run.db, config.id))
      .map((i) => `${i.id} ${i.status} ${i.reason ?? ''} ${i.sentAt ?? ''} attempts=${i.attempts}`)
      .sort();
    const chat = (await readFile(join(folder, 'outbox', 'chat.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: string; kind: string; memberId: string; sentAt: string });
    const mail = (await readdir(join(folder, 'outbox', 'mail'))).sort();
    const members = (
      await getMembers(
        run.db,
        config.id,
        community.members.map((m) => m.id),
      )
    )
      .map((m) => {
        const s = m as typeof m & { points?: number; level?: number; tier?: string; badges?: Set<string> };
        return `${m.id} points=${s.points ?? 0} tier=${s.tier ?? '-'} badges=${[...(s.badges ?? [])].sort().join(',')}`;
      })
      .sort();
    return { summary, items, chat, mail, members, sweeps: run.sweeps, dispatches: run.dispatches };
  } finally {
    await run.stop();
  }
}

describe('Races: two of every sweep and two dispatchers at each firing, over two weeks of a community', () => {
  let folders: string[];
  let single: Awaited<ReturnType<typeof outcome>>;
  let doubled: Awaited<ReturnType<typeof outcome>>;

  beforeAll(async () => {
    folders = await Promise.all([0, 1].map((i) => mkdtemp(join(tmpdir(), `hearth-races-${i}-`))));
    [single, doubled] = await Promise.all([outcome(1, folders[0]), outcome(2, folders[1])]);
  }, 300_000);

  afterAll(async () => {
    await Promise.all(folders.map((f) => rm(f, { recursive: true, force: true })));
  });

  it('sends every message exactly once, as one of each would', () => {
    // Something of each kind went, so the comparison is not of nothing.
    expect(new Set(single.chat.map((line) => line.kind)).size).toBeGreaterThan(5);
    expect(single.mail.length).toBeGreaterThan(0);
    // Each outbox id reached the chat once.
    const ids = doubled.chat.map((line) => line.id);
    expect(new Set(ids).size).toBe(ids.length);
    const lines = (chat: typeof single.chat) => chat.map((l) => `${l.id} ${l.memberId} ${l.sentAt}`).sort();
    expect(lines(doubled.chat)).toEqual(lines(single.chat));
    expect(doubled.mail).toEqual(single.mail);
  });

  it('leaves every outbox item, every guardrail count and every standing as one of each would', () => {
    expect(doubled.items).toEqual(single.items);
    expect(doubled.summary).toEqual(single.summary);
    expect(doubled.members).toEqual(single.members);
    // The same firings, each started twice.
    expect(doubled.sweeps).toBe(single.sweeps);
    expect(doubled.dispatches).toBe(single.dispatches);
  });
});
