import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signGeneric } from '../../shared/platforms/generic/inbound';
import { hearthWith, type RunningStack, startStack } from '../support/local-stack';

const SECRET = 'whsec_demo_local_only';
const INFO = { POWERTOOLS_LOG_LEVEL: 'INFO' };

/** The JSON log lines in a stream of output (the banner and other text are skipped). */
function logLines(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('End to end: what the local stack and the CLI print, at INFO', () => {
  let dataDir: string;
  let stack: RunningStack;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hearth-logs-'));
    stack = await startStack(dataDir, INFO);
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('names the function each log line comes from, with joins and their onboarding running at once', async () => {
    // Prepare
    const now = new Date();
    const joins = Array.from({ length: 24 }, (_, i) =>
      JSON.stringify({
        id: `logs-${i}`,
        type: 'member.joined',
        occurredAt: now.toISOString(),
        member: { id: `m${i}` },
      }),
    );

    // Act: all at once, so webhook and lifecycle invocations overlap in the one process.
    const statuses = await Promise.all(
      joins.map((body) =>
        fetch(`${stack.info.webhookBaseUrl}/generic/demo`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'hearth-signature': signGeneric(SECRET, body, now) },
          body,
        }).then((r) => r.status),
      ),
    );
    await expect.poll(() => logLines(stack.stdout()).filter((l) => l.message === 'lifecycle').length).toBe(24);

    // Assess
    expect(statuses).toEqual(joins.map(() => 200));
    const lines = logLines(stack.stdout());
    const accepted = lines.filter((l) => l.message === 'webhook accepted');
    const onboarding = lines.filter((l) => l.message === 'lifecycle' && l.onboarding === 'queued');
    expect(accepted).toHaveLength(24);
    expect(new Set(accepted.map((l) => l.function_name))).toEqual(new Set(['webhook']));
    expect(onboarding).toHaveLength(24);
    expect(new Set(onboarding.map((l) => l.function_name))).toEqual(new Set(['lifecycle']));
    // Each invocation flushes its own metrics: none finds its buffer emptied by another's flush.
    expect(stack.stderr()).not.toContain('No application metrics to publish');
  });

  it('prints exactly one JSON value on stdout for run --json, its log lines on stderr', async () => {
    // Act
    const result = await hearthWith(INFO, dataDir, 'run', 'winback', '--json');

    // Assess
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ job: 'winback' });
    expect(logLines(result.stderr)).toContainEqual(
      expect.objectContaining({ message: 'winback', function_name: 'sweeps' }),
    );
  });
});
