import { mkdirSync, readFileSync, watch } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { signGeneric } from '../../shared/platforms/generic/inbound';
import { createDb } from '../../shared/store/db';
import { listOutbox, type OutboxItem } from '../../shared/store/outbox';
import { hearth, type RunningStack, startStack } from '../support/local-stack';

/**
 * kill -9 of the local stack, as a hostile operator did it: right after a
 * burst of acknowledged joins, and in the middle of a burst of sends. After a
 * restart every join is welcomed exactly once and every item is sent once or
 * says why not; nothing an acknowledged request asked for is lost.
 */

const SECRET = 'whsec_demo_local_only';
const stacks: RunningStack[] = [];
const folders: string[] = [];

afterEach(async () => {
  for (const stack of stacks.splice(0)) await stack.kill().catch(() => undefined);
  for (const dir of folders.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function start(dataDir: string, env: Record<string, string> = {}): Promise<RunningStack> {
  const stack = await startStack(dataDir, env);
  stacks.push(stack);
  return stack;
}

async function kill(stack: RunningStack): Promise<void> {
  stacks.splice(stacks.indexOf(stack), 1);
  await stack.kill();
}

/** `count` joins at once, each signed; resolves when all are acknowledged. */
async function joins(stack: RunningStack, prefix: string, count: number): Promise<number[]> {
  const now = new Date();
  return Promise.all(
    Array.from({ length: count }, (_, i) => {
      const body = JSON.stringify({
        id: `${prefix}-join-${i}`,
        type: 'member.joined',
        occurredAt: now.toISOString(),
        member: { id: `${prefix}${i}` },
      });
      return fetch(`${stack.info.webhookBaseUrl}/generic/demo`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'hearth-signature': signGeneric(SECRET, body, now) },
        body,
      }).then((r) => r.status);
    }),
  );
}

/** The welcomes in the outbox, read over the running stack's endpoint. */
async function welcomes(stack: RunningStack): Promise<OutboxItem[]> {
  const db = createDb({ table: stack.info.table, endpoint: stack.info.endpoint });
  try {
    return (await listOutbox(db, 'demo')).filter((item) => item.kind === 'welcome');
  } finally {
    db.doc.destroy();
  }
}

/** The ids of the lines in chat.jsonl (what members received). */
async function delivered(dataDir: string): Promise<string[]> {
  const text = await readFile(join(dataDir, 'outbox', 'chat.jsonl'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { id: string }).id);
}

/**
 * Watch `folder` for chat.jsonl reaching `lines` lines, and run the kill the moment it does (from the
 * watcher's own callback, so that nothing the stack does after its append runs first, as far as it can be).
 */
function killWhenWritten(folder: string, lines: number) {
  let fire: (() => Promise<void>) | undefined;
  let done: Promise<void> | undefined;
  const file = join(folder, 'chat.jsonl');
  mkdirSync(folder, { recursive: true });
  const watcher = watch(folder, () => {
    if (!fire || done) return;
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return;
    }
    if (text.split('\n').length - 1 >= lines) {
      done = fire();
      watcher.close();
    }
  });
  return {
    /** Arm with the kill; resolves once it has happened. */
    async armed(kill: () => Promise<void>): Promise<void> {
      fire = kill;
      await until('sends before the kill', async () => (done ? lines : 0), lines);
      await done;
    },
  };
}

/** Poll `count` until it reaches `target`, or fail after `ms` saying how far it got. */
async function until(what: string, count: () => Promise<number>, target: number, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (let seen = await count(); seen < target; seen = await count()) {
    if (Date.now() > deadline) throw new Error(`${what}: ${seen} of ${target} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('End to end: kill -9 of the local stack loses nothing and sends nothing twice', () => {
  it('welcomes every acknowledged join exactly once when the stack dies right after the burst', async () => {
    // Prepare
    const dataDir = await mkdtemp(join(tmpdir(), 'hearth-crash-joins-'));
    folders.push(dataDir);
    const first = await start(dataDir);

    // Act: 60 joins acknowledged, then kill -9 at once, before their welcomes can all be queued.
    const statuses = await joins(first, 'j', 60);
    await kill(first);
    const second = await start(dataDir);
    await until('welcomes queued after the restart', async () => (await welcomes(second)).length, 60);
    const run = await hearth(dataDir, 'run', 'dispatch', '--json');

    // Assess
    expect(statuses).toEqual(Array(60).fill(200));
    expect(run.code).toBe(0);
    const ids = await delivered(dataDir);
    expect(ids).toHaveLength(60);
    expect(new Set(ids).size).toBe(60);
    expect((await welcomes(second)).map((w) => w.status)).toEqual(Array(60).fill('sent'));
  }, 60_000);

  it('sends every item once, or says why not, when the stack dies in the middle of a burst of sends', async () => {
    // Prepare: 80 welcomes queued by a stack without schedules, which then stops cleanly.
    const dataDir = await mkdtemp(join(tmpdir(), 'hearth-crash-sends-'));
    folders.push(dataDir);
    const quiet = await start(dataDir);
    expect(await joins(quiet, 's', 80)).toEqual(Array(80).fill(200));
    await until('welcomes queued', async () => (await welcomes(quiet)).length, 80);
    stacks.splice(stacks.indexOf(quiet), 1);
    await quiet.stop();

    // Act: a stack with its schedules dispatches at start; kill -9 the moment its 20th message is out,
    // between that send and its record (the record is a write a few ms later).
    const killed = killWhenWritten(join(dataDir, 'outbox'), 20);
    const sending = await start(dataDir, { HEARTH_SCHEDULES: 'on' });
    await killed.armed(() => kill(sending));
    const sentBeforeKill = (await delivered(dataDir)).length;
    const after = await start(dataDir);
    // Past every lease the killed dispatcher held (60 s), as the next scheduled runs would be.
    const at = new Date(Date.now() + 2 * 60_000).toISOString();
    const run = await hearth(dataDir, 'run', 'dispatch', '--at', at, '--json');

    // Assess
    expect(sentBeforeKill).toBeLessThan(80);
    expect(run.code).toBe(0);
    const ids = await delivered(dataDir);
    expect(new Set(ids).size).toBe(ids.length);
    const items = await welcomes(after);
    expect(items).toHaveLength(80);
    for (const item of items) {
      const lines = ids.filter((id) => id === item.id).length;
      // Sent once, or still waiting or parked with a reason an operator can read.
      if (item.status === 'sent') expect(lines, item.id).toBe(1);
      else expect({ lines, reason: typeof item.reason }, item.id).toEqual({ lines: 0, reason: 'string' });
    }
    expect(items.filter((item) => item.status === 'sent')).toHaveLength(80);
  }, 90_000);
});
