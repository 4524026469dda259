import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signGeneric } from '../../shared/platforms/generic/inbound';
import { hearth, type RunningStack, startStack } from '../support/local-stack';

const SECRET = 'whsec_demo_local_only';

describe('End to end: the local stack as a user runs it', () => {
  let dataDir: string;
  let stack: RunningStack;
  let url: string;

  const post = (body: string, signature = signGeneric(SECRET, body, new Date()), path = '/generic/demo') =>
    fetch(`${stack.info.webhookBaseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'hearth-signature': signature },
      body,
    });
  const event = (fields: Record<string, unknown>) =>
    JSON.stringify({ occurredAt: new Date().toISOString(), member: { id: 'ada', name: 'Ada' }, ...fields });

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hearth-e2e-'));
    stack = await startStack(dataDir);
    url = `${stack.info.webhookBaseUrl}/generic/demo`;
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('prints a banner with the webhook URL, data folder, demo community and a signed sample', () => {
    // Assess
    const banner = stack.output();
    expect(banner).toContain(stack.info.webhookBaseUrl);
    expect(banner).toContain(dataDir);
    expect(banner).toContain('community  demo (created from examples/community.json)');
    expect(banner).toContain('npx hearth post demo');
    expect(banner).toContain(`curl -s -X POST ${url}`);
  });

  it('accepts a signed join, applies it once, and the welcome reaches chat.jsonl', async () => {
    // Prepare
    const body = event({ id: 'e2e-join-1', type: 'member.joined', referralCode: 'FRIEND1' });

    // Act
    const first = await post(body);
    const again = await post(body);

    // Assess
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(await again.json()).toMatchObject({ accepted: 0, duplicates: 1 });
    const member = await hearth(dataDir, 'member', 'show', 'demo', 'ada', '--json');
    expect(member.code).toBe(0);
    expect(JSON.parse(member.stdout)).toMatchObject({ id: 'ada', name: 'Ada', status: 'member', joins: 1 });

    const dispatched = await hearth(dataDir, 'run', 'dispatch', '--json');
    expect(JSON.parse(dispatched.stdout)).toMatchObject({ job: 'dispatch', sent: 1 });
    const lines = (await readFile(join(dataDir, 'outbox', 'chat.jsonl'), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ communityId: 'demo', kind: 'welcome', memberId: 'ada' });
    const outbox = JSON.parse((await hearth(dataDir, 'outbox', '--json')).stdout);
    expect(outbox).toEqual([
      expect.objectContaining({ kind: 'welcome', memberId: 'ada', status: 'sent', attempts: 1 }),
    ]);
    // In words: a run with nothing due says why that may be, and an empty filter says what it filtered.
    const idle = await hearth(dataDir, 'run', 'dispatch');
    expect(idle.stdout).toContain('0 sent, 0 held back until later');
    expect(idle.stdout).toContain('nothing was due: a running stack dispatches every minute');
    const failed = await hearth(dataDir, 'outbox', '--status', 'failed', '--community', 'demo');
    expect(failed.stdout.trim()).toBe('no failed items in community demo (without --status: every item)');
  });

  it('counts concurrent copies of one message once', async () => {
    // Prepare
    const body = event({ id: 'e2e-msg-1', type: 'message.posted', channelId: 'general', text: 'hello' });

    // Act
    const replies = await Promise.all(
      Array.from({ length: 12 }, () =>
        post(body).then((r) => r.json() as Promise<{ accepted: number; duplicates: number }>),
      ),
    );

    // Assess
    expect(replies.filter((r) => r.accepted === 1)).toHaveLength(1);
    expect(replies.filter((r) => r.duplicates === 1)).toHaveLength(11);
    const member = JSON.parse((await hearth(dataDir, 'member', 'show', 'demo', 'ada', '--json')).stdout);
    expect(member.messages).toBe(1);
    expect(member.lastActiveDay).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('rejects bad requests with the documented status and writes nothing', async () => {
    // Prepare
    const intruder = (id: string) =>
      JSON.stringify({
        id,
        type: 'message.posted',
        occurredAt: new Date().toISOString(),
        member: { id: 'intruder' },
        channelId: 'general',
      });
    const stale = new Date(Date.now() - 301_000);

    // Act
    const badSignature = await post(intruder('x1'), signGeneric('wrong-secret', intruder('x1'), new Date()));
    const staleTimestamp = await post(intruder('x2'), signGeneric(SECRET, intruder('x2'), stale));
    const unsigned = await fetch(url, { method: 'POST', body: intruder('x3') });
    const malformed = await post('{"id":"x4","type":"message.posted"');
    const wrongShape = await post(
      JSON.stringify({ id: 'x5', type: 'message.posted', occurredAt: 'yesterday', member: { id: 'intruder' } }),
    );
    const unknownCommunity = await post(intruder('x6'), undefined, '/generic/nope');
    const unknownPlatform = await post(intruder('x7'), undefined, '/myspace/demo');
    const oversized = await post(
      JSON.stringify({
        id: 'x8',
        type: 'member.updated',
        occurredAt: new Date().toISOString(),
        member: { id: 'intruder' },
        pad: 'x'.repeat(300_000),
      }),
    );

    // Assess
    expect(badSignature.status).toBe(401);
    expect(staleTimestamp.status).toBe(401);
    expect(await staleTimestamp.json()).toMatchObject({
      error: 'unauthorized',
      message: expect.stringContaining('stale'),
    });
    expect(unsigned.status).toBe(401);
    expect(malformed.status).toBe(400);
    expect(wrongShape.status).toBe(400);
    expect(await wrongShape.json()).toMatchObject({ error: 'bad_request', field: 'occurredAt' });
    expect(unknownCommunity.status).toBe(404);
    expect(unknownPlatform.status).toBe(404);
    expect(oversized.status).toBe(413);
    const shown = await hearth(dataDir, 'member', 'show', 'demo', 'intruder', '--json');
    expect(shown.code).toBe(2);
    expect(shown.stderr).toContain('no member "intruder"');
  });

  it('rejects a bad community config with exit 2 naming the field', async () => {
    // Prepare
    const file = join(dataDir, 'bad.json');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(
      file,
      JSON.stringify({
        id: 'b',
        name: 'B',
        timezone: 'Europe/Nowhere',
        webhookSecret: 'whsec_12345',
        platform: { kind: 'generic' },
      }),
    );

    // Act
    const result = await hearth(dataDir, 'community', 'put', file);
    const asJson = await hearth(dataDir, 'community', 'put', file, '--json');
    const unknown = await hearth(dataDir, 'comunity', 'list', '--json');

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('timezone');
    // With --json the error is one JSON value on stdout, naming the field; the exit code is the same.
    expect(asJson.code).toBe(2);
    expect(JSON.parse(asJson.stdout)).toMatchObject({ error: 'usage', field: 'timezone' });
    expect(JSON.parse(asJson.stdout).message).toContain('timezone');
    expect(unknown.code).toBe(2);
    expect(JSON.parse(unknown.stdout)).toMatchObject({ error: 'usage' });
    expect(JSON.parse(unknown.stdout).message).toContain("unknown command 'comunity'");
    expect(JSON.parse(unknown.stdout).message).toContain('Did you mean community?');
  });

  it.each([
    ['npm', (command: string) => command.startsWith('npm')],
    ['node', (command: string) => command.includes('infra/local/main.ts')],
  ])(
    'stops, every process of it, on SIGTERM to its %s process alone',
    async (_name, which) => {
      // Prepare
      const running = await stack.processes();
      const target = running.find((p) => which(p.command));
      expect(target, JSON.stringify(running)).toBeDefined();

      // Act
      await stack.terminate(target?.pid as number);
      const deadline = Date.now() + 10_000;
      let left = await stack.processes();
      while (left.length > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        left = await stack.processes();
      }
      const output = stack.output();
      stack = await startStack(dataDir);

      // Assess: nothing left holding the port or the data folder, which the next start takes.
      expect(left).toEqual([]);
      expect(output).toContain('SIGTERM: stopping…');
      expect(output).toContain(`stopped; data kept in ${dataDir}`);
    },
    60_000,
  );

  it('stops cleanly on Ctrl-C and keeps the data across a restart', async () => {
    // Act
    await stack.stop();
    const firstRun = stack.output();
    const stackFileLeft = await readFile(join(dataDir, 'stack.json'), 'utf8').catch(() => undefined);
    stack = await startStack(dataDir);

    // Assess
    expect(firstRun).toContain(`stopped; data kept in ${dataDir}`);
    expect(stackFileLeft).toBeUndefined();
    const member = JSON.parse((await hearth(dataDir, 'member', 'show', 'demo', 'ada', '--json')).stdout);
    expect(member).toMatchObject({ messages: 1, joins: 1 });
    expect(stack.output()).toContain('community  demo\n');
  }, 60_000);
});
