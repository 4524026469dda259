import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signGeneric } from '../../shared/platforms/generic/inbound';
import { hearth, type RunningStack, startStack } from '../support/local-stack';

const SECRET = 'whsec_occasions_e2e';

/** A community with a New Year post and anniversaries, as an operator would write it. */
const COMMUNITY = {
  id: 'occ',
  name: 'Occasions',
  timezone: 'Asia/Shanghai',
  webhookSecret: SECRET,
  platform: { kind: 'generic' },
  onboarding: { enabled: false },
  holidays: [{ date: '01-01', template: 'holiday.newYear' }],
};

describe('End to end: anniversaries and holidays through hearth run', () => {
  let dataDir: string;
  let stack: RunningStack;

  const chatLines = async () =>
    (await readFile(join(dataDir, 'outbox', 'chat.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
      .filter((line) => line.communityId === 'occ');

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hearth-e2e-occasions-'));
    stack = await startStack(dataDir);
    await writeFile(join(dataDir, 'occ.json'), JSON.stringify(COMMUNITY));
    expect((await hearth(dataDir, 'community', 'put', join(dataDir, 'occ.json'))).code).toBe(0);
    // A member whose first join was on 1 June 2025 in Shanghai.
    const body = JSON.stringify({
      id: 'occ-join-1',
      type: 'member.joined',
      occurredAt: '2025-06-01T02:00:00Z',
      member: { id: 'ada', name: 'Ada' },
    });
    const joined = await fetch(`${stack.info.webhookBaseUrl}/generic/occ`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'hearth-signature': signGeneric(SECRET, body, new Date()) },
      body,
    });
    expect(joined.status).toBe(200);
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('run anniversaries --at queues the first anniversary at 11:00 local, and dispatch sends it once', async () => {
    // Act
    const run = await hearth(dataDir, 'run', 'anniversaries', '--at', '2026-06-01T03:00:00Z', '--json');
    const again = await hearth(dataDir, 'run', 'anniversaries', '--at', '2026-06-01T03:30:00Z', '--json');
    const sent = await hearth(dataDir, 'run', 'dispatch', '--at', '2026-06-01T03:00:30Z', '--json');

    // Assess
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ job: 'anniversaries', monthDays: ['06-01'], queued: 1 });
    expect(JSON.parse(again.stdout)).toMatchObject({ queued: 0 });
    expect(JSON.parse(sent.stdout)).toMatchObject({ job: 'dispatch', sent: 1 });
    expect((await chatLines()).filter((l) => l.kind === 'anniversary')).toEqual([
      expect.objectContaining({
        memberId: 'ada',
        text: 'Ada, today is your 1-year anniversary in Occasions! 🎉 Thank you for being part of it.',
      }),
    ]);
  });

  it('run holidays --at decides New Year two days ahead, and dispatch posts it once at 09:00 local', async () => {
    // Act
    const run = await hearth(dataDir, 'run', 'holidays', '--at', '2026-12-30T01:00:00Z', '--json');
    const early = await hearth(dataDir, 'run', 'dispatch', '--at', '2027-01-01T00:59:00Z', '--json');
    const due = await hearth(dataDir, 'run', 'dispatch', '--at', '2027-01-01T01:00:30Z', '--json');
    const again = await hearth(dataDir, 'run', 'dispatch', '--at', '2027-01-01T01:01:30Z', '--json');

    // Assess
    expect(JSON.parse(run.stdout)).toMatchObject({ job: 'holidays', communities: 1, queued: 1 });
    expect([early, due, again].map((r) => JSON.parse(r.stdout).sent)).toEqual([0, 1, 0]);
    expect((await chatLines()).filter((l) => l.kind === 'holiday')).toEqual([
      expect.objectContaining({
        memberId: '#community',
        channel: null,
        text: 'Happy New Year from everyone at Occasions! 🎉',
      }),
    ]);
  });
});
