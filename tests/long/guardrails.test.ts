import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOTHING_BROKEN } from '../support/audit';

/**
 * The guardrails over weeks of simulated time, at a size where they meet
 * often: the demo's community of 2,000 members replayed over 8 weeks through
 * the local stack, every schedule fired at its simulated time, then counted
 * from what went out (the chat sink and the mail folder) and from the outbox,
 * not from Hearth's own report. Four to seven minutes long, so it runs in
 * `npm run test:long`, not in `npm test` (nor in CI, whose 15 minutes it would
 * take half of).
 */

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const OPTIONS = { members: 2000, weeks: 8, seed: 1 };

interface Sent {
  id: string;
  kind: string;
}

describe('8 weeks of a 2,000-member community', () => {
  let dataDir: string;
  let summary: {
    audit: Record<string, number | string[]>;
    kinds: Record<string, { sent: number }>;
    replayed: { events: number; sweeps: number; dispatches: number };
  };
  let lines: Sent[];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hearth-guardrails-'));
    const args = Object.entries(OPTIONS).flatMap(([k, v]) => [`--${k}`, String(v)]);
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', 'demo/main.ts', ...args, '--data', dataDir, '--json'],
      { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 },
    );
    summary = JSON.parse(stdout);
    lines = (await readFile(join(dataDir, 'outbox', 'chat.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Sent);
  }, 1_200_000);

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('fires every schedule over the 8 weeks', () => {
    // Assess: each of the 8 hourly sweeps once an hour, 56 days long.
    expect(summary.replayed.sweeps).toBeGreaterThanOrEqual(8 * 24 * 7 * OPTIONS.weeks);
    expect(summary.replayed.events).toBeGreaterThan(10_000);
  });

  it('sends nothing in quiet hours, after an opt-out, over the caps, twice, or to a departed member', () => {
    // Assess
    expect(summary.audit).toMatchObject(NOTHING_BROKEN);
    expect(summary.audit.checked).toBeGreaterThan(5_000);
  });

  it('has sent each item the outbox calls sent exactly once: one line or one mail each', async () => {
    // Prepare
    const ids = new Set(lines.map((line) => line.id));
    const mails = (await readdir(join(dataDir, 'outbox', 'mail'))).filter((name) => name.endsWith('.eml'));

    // Assess: no id twice in the sink, and for every kind as many lines (or mails) as items sent.
    expect(ids.size).toBe(lines.length);
    for (const [kind, { sent }] of Object.entries(summary.kinds)) {
      const out = kind === 'digest' ? mails.length : lines.filter((line) => line.kind === kind).length;
      expect({ kind, out }).toEqual({ kind, out: sent });
    }
  });
});
