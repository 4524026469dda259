import { execFile } from 'node:child_process';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoCommunity, generateCommunity } from '../../demo/community';
import { NOTHING_BROKEN } from '../support/audit';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
/** A seed whose community has an opt-out, a leave and referrals in two weeks (the generator's own draws). */
const OPTIONS = { members: 40, weeks: 2, seed: 12 };

/** `npm run demo` as a newcomer runs it, small, into its own folder; its --json summary. */
async function demo(dataDir: string) {
  const { stdout } = await run(
    process.execPath,
    [
      '--import',
      'tsx',
      'demo/main.ts',
      ...Object.entries(OPTIONS).flatMap(([k, v]) => [`--${k}`, String(v)]),
      '--data',
      dataDir,
      '--json',
    ],
    { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
  );
  return JSON.parse(stdout);
}

/** A line of the local chat outbox. */
interface Sent {
  id: string;
  kind: string;
  memberId: string;
  channel?: string;
  sentAt: string;
}

describe('npm run demo', () => {
  let folders: string[];
  let runs: Array<Awaited<ReturnType<typeof demo>>>;
  let community: DemoCommunity;

  beforeAll(async () => {
    folders = await Promise.all([0, 1].map((i) => mkdtemp(join(tmpdir(), `hearth-demo-${i}-`))));
    runs = await Promise.all(folders.map(demo));
    community = generateCommunity(OPTIONS);
  }, 240_000);

  afterAll(async () => {
    await Promise.all(folders.map((f) => rm(f, { recursive: true, force: true })));
  });

  it('gives the same numbers for the same seed', () => {
    // Assess: everything but where each run wrote its files.
    const [a, b] = runs.map(({ data: _f, dataDir: _d, digest: { eml: _e, html: _h, ...digest }, ...rest }) => ({
      ...rest,
      digest,
    }));
    expect(a).toEqual(b);
    expect(a.replayed.events).toBe(community.events.length);
  });

  it("ends with the last week's digest sent, as .eml and .html, and its headline numbers", async () => {
    // Assess
    const [first] = runs;
    expect(first.week).toBe('2026-W48');
    expect(first.digest.status).toBe('sent');
    await access(first.digest.eml);
    expect(await readFile(first.digest.html, 'utf8')).toContain('<html');
    expect(await readFile(first.digest.eml, 'utf8')).toMatch(/^Subject: /m);
    // Every member the community has at the end, by the generator's own account (staff and bots are not members).
    const people = (type: string) =>
      community.events.filter((e) => {
        const member = e.body.member as { isStaff?: boolean; isBot?: boolean };
        return e.body.type === type && !member.isStaff && !member.isBot;
      }).length;
    expect(first.headline.members).toBe(people('member.joined') - people('member.left'));
    expect(first.headline.messages).toBeGreaterThan(0);
    expect(first.kinds.welcome.sent).toBeGreaterThan(0);
    expect(first.kinds.digest.sent).toBeGreaterThanOrEqual(2);
  });

  it('sends nothing to a member after they opted out or left (but the answers to what they asked)', async () => {
    // Prepare: when each member stopped wanting messages, from the events replayed.
    const stopped = new Map<string, { from: number; until: number }>();
    for (const { at, body } of community.events) {
      const member = (body.member as { id: string }).id;
      if (body.text === '/optout') stopped.set(member, { from: at, until: Infinity });
      if (body.text === '/optin') stopped.set(member, { ...(stopped.get(member) ?? { from: at }), until: at });
      if (body.type === 'member.left') stopped.set(member, { from: at, until: Infinity });
    }
    const lines = (await readFile(join(folders[0], 'outbox', 'chat.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Sent);

    // Assess
    expect(stopped.size).toBeGreaterThan(0);
    const unwanted = lines.filter((line) => {
      const window = stopped.get(line.memberId);
      const at = Date.parse(line.sentAt);
      return window && at >= window.from && at < window.until && line.kind !== 'reply' && line.kind !== 'checkin';
    });
    expect(unwanted).toEqual([]);
    // Every welcome sent went to the chat (the demo's community is on the generic platform).
    expect(lines.filter((line) => line.kind === 'welcome')).toHaveLength(runs[0].kinds.welcome.sent);
    // The calendar's weekly post, Friday 17:00 London (UTC in November), once each Friday of the two weeks,
    // and the challenge's prompt at 09:00 on each of its seven days.
    const posts = (entry: string) =>
      lines.filter((line) => line.kind === 'post' && line.id.includes(`#${entry}@`)).map((l) => l.sentAt.slice(0, 16));
    expect(posts('show-and-tell')).toEqual(['2026-11-20T17:00', '2026-11-27T17:00']);
    expect(posts('ship-week')).toEqual([23, 24, 25, 26, 27, 28, 29].map((d) => `2026-11-${d}T09:00`));
    expect(runs[0].kinds.post.sent).toBe(9);
  });

  it("counts the challenge's check-ins and the responses to the week's post as the events told them", () => {
    // Prepare: from the events replayed, each taker's London days checked in, and the Friday post's responses.
    const days = new Map<string, Set<string>>();
    let replies = 0;
    let reactions = 0;
    const friday = 'post#demo##community#show-and-tell@2026-11-27T17:00:00.000Z';
    for (const { body } of community.events) {
      const member = (body.member as { id: string }).id;
      const text = String(body.text ?? '');
      if (text === '/checkin' || text.includes('shipped')) {
        const day = body.occurredAt.slice(0, 10); // London is UTC in November
        days.set(member, (days.get(member) ?? new Set()).add(day));
      }
      if (body.replyToMessage === friday) replies++;
      if (body.messageId === friday) reactions++;
    }
    const takers = [...days.values()];

    // Assess: one answer a member-day, and the digest's numbers.
    expect(takers.length).toBeGreaterThan(0);
    expect(runs[0].kinds.checkin.sent).toBe(takers.reduce((n, d) => n + d.size, 0));
    expect(runs[0].calendar.challenges).toEqual([
      {
        id: 'ship-week',
        participants: takers.length,
        completed: takers.filter((d) => d.size === 7).length,
        longestStreak: expect.any(Number),
      },
    ]);
    expect(runs[0].calendar).toMatchObject({ posts: 1, replies, reactions });
    expect(replies + reactions).toBeGreaterThan(0);
  });

  it('counts from the chat sink no message in quiet hours, after an opt-out, over the caps, twice or to a departed member', () => {
    // Assess: the audit of the run's own sink against the generator's ground truth (demo/audit.ts).
    expect(runs[0].audit).toMatchObject(NOTHING_BROKEN);
    expect(runs[0].audit.checked).toBeGreaterThan(50);
  });

  it('leaves its table in the data folder, where the CLI reads it after the replay', async () => {
    // Act: the replay runs on an in-memory engine and writes the table to the folder as it stops.
    const { stdout } = await run(
      process.execPath,
      ['bin/hearth.js', 'digest', 'preview', '--community', 'demo', '--week', runs[0].week, '--json'],
      { cwd: ROOT, env: { ...process.env, HEARTH_DATA_DIR: folders[0] }, maxBuffer: 16 * 1024 * 1024 },
    );

    // Assess
    const preview = JSON.parse(stdout);
    expect(preview.members).toBe(runs[0].headline.members);
    expect(preview.wau).toBe(runs[0].headline.wau);
  });
});
