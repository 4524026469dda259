import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
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

  it('invokes the dispatcher with { job: "dispatch" } at each minute boundary, as the CDK schedule does', async () => {
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

    // Assess
    expect(beforeTheMinute).toBe(0);
    expect(calls).toEqual([
      { name: 'dispatcher', event: { job: 'dispatch' } },
      { name: 'dispatcher', event: { job: 'dispatch' } },
    ]);
  });
  it('starts the birthday, win-back and drip sweeps on their minutes of the hour, in the sweeps function', async () => {
    // Prepare
    vi.useFakeTimers({ now: new Date('2026-11-25T08:59:30Z') });
    const { functions, calls } = recordingFunctions();
    const scheduler = new LocalScheduler(functions);

    // Act: from 09:00 to 09:10 inclusive.
    scheduler.start();
    await vi.advanceTimersByTimeAsync(31_000 + 10 * 60_000);
    await scheduler.stop();

    // Assess
    expect(calls.filter((c) => c.name === 'dispatcher')).toHaveLength(11);
    expect(calls.filter((c) => c.name === 'sweeps')).toEqual([
      { name: 'sweeps', event: { job: 'birthdays' } },
      { name: 'sweeps', event: { job: 'winback' } },
      { name: 'sweeps', event: { job: 'onboarding' } },
    ]);
  });
});

describe('Class: LocalBus', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('routes member.joined to lifecycle as an EventBridge event, and member.updated to nobody (no rule)', async () => {
    // Prepare
    const { functions, calls } = recordingFunctions();
    const bus = new LocalBus(() => functions, '/nonexistent/dead-letters.jsonl');

    // Act
    await bus.publish([joined, { ...joined, type: 'member.updated' }]);
    await bus.drain();

    // Assess
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      name: 'lifecycle',
      event: { source: 'hearth', 'detail-type': 'member.joined', detail: joined },
    });
  });

  it('retries a failing target twice, then writes the event to the dead-letter file', async () => {
    // Prepare
    dir = await mkdtemp(join(tmpdir(), 'hearth-bus-'));
    const deadLetters = join(dir, 'dead-letters.jsonl');
    const { functions, calls } = recordingFunctions(true);
    const bus = new LocalBus(() => functions, deadLetters);

    // Act
    await bus.publish([joined]);
    await bus.drain();

    // Assess
    expect(calls.filter((c) => c.name === 'lifecycle')).toHaveLength(3);
    const lines = (await readFile(deadLetters, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ target: 'lifecycle', error: 'Error: lifecycle is down' });
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
