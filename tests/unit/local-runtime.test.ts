import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LocalBus } from '../../infra/local/bus';
import { asLocalFunction, type LocalFunctions, lambdaContext } from '../../infra/local/functions';
import { LocalScheduler } from '../../infra/local/scheduler';
import { functionDefinition } from '../../infra/topology';
import type { DomainEvent } from '../../shared/events/domain-events';

/** Functions that record what they were invoked with; `lifecycle` may be told to fail. */
function recordingFunctions(failOnboarding = false) {
  const calls: Array<{ name: string; event: unknown }> = [];
  const make = (name: string) => async (event: unknown) => {
    calls.push({ name, event });
    if (name === 'lifecycle' && failOnboarding) throw new Error('lifecycle is down');
    return {};
  };
  const functions = {
    webhook: make('webhook'),
    lifecycle: make('lifecycle'),
    dispatcher: make('dispatcher'),
    sweeps: make('sweeps'),
  };
  return { functions: functions as unknown as LocalFunctions, calls };
}

const joined: DomainEvent = {
  type: 'member.joined',
  communityId: 'acme',
  memberId: 'ada',
  occurredAt: '2026-11-25T10:00:00.000Z',
  sourceEventId: 'e1',
};

describe('Class: LocalScheduler', () => {
  afterEach(() => vi.useRealTimers());

  it('invokes the dispatcher with { job: "dispatch" } at start and at each minute boundary, as the CDK schedule does', async () => {
    // Prepare
    vi.useFakeTimers({ now: new Date('2026-11-25T10:00:30Z') });
    const { functions, calls } = recordingFunctions();
    const scheduler = new LocalScheduler(functions);

    // Act
    scheduler.start();
    await vi.advanceTimersByTimeAsync(29_000);
    const beforeTheMinute = calls.length;
    await vi.advanceTimersByTimeAsync(2_000 + 60_000);
    await scheduler.stop();

    // Assess: once at start (what fell due while the stack was stopped), then every minute; no sweep at start.
    expect(beforeTheMinute).toBe(1);
    expect(calls).toEqual([
      { name: 'dispatcher', event: { job: 'dispatch' } },
      { name: 'dispatcher', event: { job: 'dispatch' } },
      { name: 'dispatcher', event: { job: 'dispatch' } },
    ]);
  });
  it('starts each workflow sweep on its minute of the hour (birthdays, anniversaries and the digest, win-back, drip), in the sweeps function', async () => {
    // Prepare
    vi.useFakeTimers({ now: new Date('2026-11-25T08:59:30Z') });
    const { functions, calls } = recordingFunctions();
    const scheduler = new LocalScheduler(functions);

    // Act: from 09:00 to 09:10 inclusive.
    scheduler.start();
    await vi.advanceTimersByTimeAsync(31_000 + 10 * 60_000);
    await scheduler.stop();

    // Assess: the dispatcher at start and on each of the 11 minutes.
    expect(calls.filter((c) => c.name === 'dispatcher')).toHaveLength(12);
    expect(calls.filter((c) => c.name === 'sweeps')).toEqual([
      { name: 'sweeps', event: { job: 'birthdays' } },
      { name: 'sweeps', event: { job: 'anniversaries' } },
      { name: 'sweeps', event: { job: 'digest' } },
      { name: 'sweeps', event: { job: 'winback' } },
      { name: 'sweeps', event: { job: 'onboarding' } },
    ]);
  });
});

describe('Class: LocalBus', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hearth-bus-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const pending = async () => readdir(join(dir, 'bus', 'pending')).catch(() => []);

  it('routes member.joined to lifecycle as an EventBridge event, and member.updated to nobody (no rule)', async () => {
    // Prepare
    const { functions, calls } = recordingFunctions();
    const bus = new LocalBus(() => functions, dir);

    // Act
    await bus.publish([joined, { ...joined, type: 'member.updated' }]);
    await bus.drain();

    // Assess
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      name: 'lifecycle',
      event: { source: 'hearth', 'detail-type': 'member.joined', detail: joined },
    });
    expect(await pending()).toEqual([]);
  });

  it('retries a failing target twice, then writes the event to the dead-letter file', async () => {
    // Prepare
    const deadLetters = join(dir, 'dead-letters.jsonl');
    const { functions, calls } = recordingFunctions(true);
    const bus = new LocalBus(() => functions, dir);

    // Act
    await bus.publish([joined]);
    await bus.drain();

    // Assess
    expect(calls.filter((c) => c.name === 'lifecycle')).toHaveLength(3);
    const lines = (await readFile(deadLetters, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ target: 'lifecycle', error: 'Error: lifecycle is down' });
    expect(await pending()).toEqual([]);
  });

  it('keeps what it accepted on disk until applied, so a new process delivers what a crashed one had not', async () => {
    // Prepare: the first process accepts two events and dies before its target applies them.
    const never = new Promise<never>(() => undefined);
    const stuck = { lifecycle: () => never } as unknown as LocalFunctions;
    const crashed = new LocalBus(() => stuck, dir);
    await crashed.publish([joined]);
    await crashed.publish([{ ...joined, memberId: 'bo', occurredAt: '2026-11-25T10:00:01.000Z' }]);
    const keptAfterAccepting = (await pending()).length;

    // Act: the next process starts on the same data folder.
    const { functions, calls } = recordingFunctions();
    const next = new LocalBus(() => functions, dir);
    const replayed = await next.replay();
    await next.drain();

    // Assess
    expect(keptAfterAccepting).toBe(2);
    expect(replayed).toBe(2);
    expect(calls.map((c) => (c.event as { detail: DomainEvent }).detail.memberId)).toEqual(['ada', 'bo']);
    expect(await pending()).toEqual([]);
    expect(await new LocalBus(() => functions, dir).replay()).toBe(0);
  });

  it('drops an abandoned write (its sender was never answered), keeps a recent one, parks what it cannot deliver', async () => {
    // Prepare
    const folder = join(dir, 'bus', 'pending');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'abandoned.tmp'), '{"target":"lifec');
    const longAgo = new Date(Date.now() - 10 * 60_000);
    await utimes(join(folder, 'abandoned.tmp'), longAgo, longAgo);
    await writeFile(join(folder, 'being-written.tmp'), '{"target":');
    await writeFile(join(folder, 'garbled.json'), 'not json');
    await writeFile(join(folder, 'no-event.json'), '{}');
    await writeFile(
      join(folder, 'no-target.json'),
      JSON.stringify({ target: 'nobody', event: joined, publishedAt: '' }),
    );
    const { functions, calls } = recordingFunctions();

    // Act
    const replayed = await new LocalBus(() => functions, dir).replay();

    // Assess
    expect(replayed).toBe(0);
    expect(calls).toEqual([]);
    expect(await pending()).toEqual(['being-written.tmp']);
    const parked = (await readFile(join(dir, 'dead-letters.jsonl'), 'utf8')).trim().split('\n');
    expect(parked.map((line) => JSON.parse(line).pending).sort()).toEqual([
      'garbled.json',
      'no-event.json',
      'no-target.json',
    ]);
  });

  it('keeps two deliveries of the same event apart: the first to finish does not take the other’s file', async () => {
    // Prepare: one delivery of the event is applied at once, the other never (its process will die).
    let calls = 0;
    const never = new Promise<never>(() => undefined);
    const halfStuck = { lifecycle: () => (++calls === 1 ? Promise.resolve({}) : never) } as unknown as LocalFunctions;
    const bus = new LocalBus(() => halfStuck, dir);

    // Act
    await bus.publish([joined]);
    await bus.publish([joined]);
    await new Promise((resolve) => setTimeout(resolve, 50));

    // Assess: the unfinished one is still on disk, for the next process to deliver.
    expect(calls).toBe(2);
    expect(await pending()).toHaveLength(1);
  });
});

describe('Function: lambdaContext', () => {
  it('counts the remaining time down from the function’s timeout in the topology, to zero', () => {
    // Prepare
    const dispatcher = functionDefinition('dispatcher');
    const now = performance.now();

    // Act
    const fresh = lambdaContext(dispatcher, now).getRemainingTimeInMillis();
    const late = lambdaContext(dispatcher, now - 59_500).getRemainingTimeInMillis();
    const over = lambdaContext(dispatcher, now - 61_000).getRemainingTimeInMillis();

    // Assess
    expect(fresh).toBeGreaterThan(59_000);
    expect(fresh).toBeLessThanOrEqual(60_000);
    expect(late).toBeGreaterThanOrEqual(0);
    expect(late).toBeLessThanOrEqual(500);
    expect(over).toBe(0);
    expect(lambdaContext(dispatcher).memoryLimitInMB).toBe(String(dispatcher.memoryMb));
  });
});

describe('Function: asLocalFunction', () => {
  it('gives every invocation its own context, named after the function, even while others are under way', async () => {
    // Prepare: each invocation waits for the next to start before it reads its context.
    const seen: Array<{ name: string; id: string }> = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const invoke = asLocalFunction('lifecycle', async (_event, context) => {
      await gate;
      seen.push({ name: context.functionName, id: context.awsRequestId });
    });

    // Act
    const runs = [invoke({}), invoke({}), invoke({})];
    release();
    await Promise.all(runs);

    // Assess
    expect(seen.map((s) => s.name)).toEqual(['lifecycle', 'lifecycle', 'lifecycle']);
    expect(new Set(seen.map((s) => s.id)).size).toBe(3);
  });
});
