import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signGeneric } from '../../shared/platforms/generic/inbound';
import { hearth, type RunningStack, startStack } from '../support/local-stack';

const SECRET = 'whsec_demo_local_only';

/**
 * The lifecycle workflows as an operator drives them: events through the
 * local stack's webhook, time travel through `npx hearth run <job> --at`,
 * messages read off chat.jsonl.
 */
describe('End to end: lifecycle jobs through `hearth run --at` on the local stack', () => {
  let dataDir: string;
  let stack: RunningStack;
  const now = DateTime.utc();

  const post = async (fields: Record<string, unknown>) => {
    const body = JSON.stringify(fields);
    const response = await fetch(`${stack.info.webhookBaseUrl}/generic/demo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'hearth-signature': signGeneric(SECRET, body, new Date()) },
      body,
    });
    expect(response.status).toBe(200);
  };
  const run = async (job: string, at: DateTime) => {
    const result = await hearth(dataDir, 'run', job, '--at', at.toISO() as string, '--json');
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout);
  };
  const chatLines = async () =>
    (await readFile(join(dataDir, 'outbox', 'chat.jsonl'), 'utf8').catch(() => ''))
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hearth-e2e-life-'));
    stack = await startStack(dataDir);
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('greets a birthday once, at 09:00 in the member time zone (UTC+14)', async () => {
    // Prepare: tomorrow is their birthday in Kiritimati.
    const greeting = now
      .setZone('Pacific/Kiritimati')
      .plus({ days: 1 })
      .set({ hour: 9, minute: 0, second: 0, millisecond: 0 });
    await post({
      id: 'e2e-kiri',
      type: 'member.updated',
      occurredAt: now.toISO(),
      member: { id: 'kiri', name: 'Kiri', birthday: greeting.toFormat('MM-dd'), timezone: 'Pacific/Kiritimati' },
    });

    // Act
    const first = await run('birthdays', greeting);
    const again = await run('birthdays', greeting.plus({ minutes: 20 }));
    const sent = await run('dispatch', greeting.plus({ seconds: 30 }));

    // Assess
    expect(first).toMatchObject({ job: 'birthdays', queued: 1 });
    expect(again).toMatchObject({ queued: 0 });
    expect(sent).toMatchObject({ job: 'dispatch', sent: 1 });
    const birthdays = (await chatLines()).filter((l) => l.kind === 'birthday');
    expect(birthdays).toEqual([expect.objectContaining({ memberId: 'kiri', communityId: 'demo' })]);
    expect(birthdays[0].text).toContain('Kiri');
  });

  it('greets a birthday imported from a CSV file', async () => {
    // Prepare
    const greeting = now
      .setZone('Asia/Shanghai')
      .plus({ days: 2 })
      .set({ hour: 9, minute: 0, second: 0, millisecond: 0 });
    const csv = join(dataDir, 'members.csv');
    await writeFile(csv, `id,name,birthday\ncsv-1,Casey,${greeting.toFormat('MM-dd')}\n`);

    // Act
    const imported = await hearth(dataDir, 'members', 'import', 'demo', csv, '--json');
    const swept = await run('birthdays', greeting);

    // Assess
    expect(imported.code, imported.stderr).toBe(0);
    expect(swept).toMatchObject({ queued: 1 });
  });

  it('sends a win-back to a member silent for 14 days, once', async () => {
    // Prepare: their last message was 14 days ago (Shanghai days).
    const today = now.setZone('Asia/Shanghai').set({ hour: 10, minute: 0, second: 0, millisecond: 0 });
    await post({
      id: 'e2e-sleepy',
      type: 'message.posted',
      occurredAt: today.minus({ days: 14 }).toUTC().toISO(),
      channelId: 'general',
      member: { id: 'sleepy', name: 'Sleepy' },
    });

    // Act
    const first = await run('winback', today);
    const again = await run('winback', today.plus({ hours: 1 }));
    const sent = await run('dispatch', today.plus({ seconds: 30 }));

    // Assess
    expect(first).toMatchObject({ job: 'winback', queued: 1 });
    expect(again).toMatchObject({ queued: 0 });
    expect(sent.sent).toBe(1);
    expect((await chatLines()).filter((l) => l.kind === 'winback')).toEqual([
      expect.objectContaining({ memberId: 'sleepy', channel: null }),
    ]);
  });

  it('follows a welcome with the first drip step a day later', async () => {
    // Prepare: a join now; the bus hands it to onboarding, which queues the welcome.
    await post({ id: 'e2e-newbie', type: 'member.joined', occurredAt: now.toISO(), member: { id: 'newbie' } });
    const deadline = Date.now() + 10_000;
    let outbox: Array<{ kind: string; memberId: string }> = [];
    while (!outbox.some((i) => i.kind === 'welcome' && i.memberId === 'newbie') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      outbox = JSON.parse((await hearth(dataDir, 'outbox', '--community', 'demo', '--json')).stdout);
    }

    // Act
    const drip = await run('onboarding', now.plus({ days: 1 }));
    const again = await run('onboarding', now.plus({ days: 1, hours: 1 }));

    // Assess
    expect(drip).toMatchObject({ job: 'onboarding', queued: 1 });
    expect(again).toMatchObject({ queued: 0 });
    const items = JSON.parse((await hearth(dataDir, 'outbox', '--community', 'demo', '--json')).stdout);
    expect(
      items
        .filter((i: { memberId: string }) => i.memberId === 'newbie')
        .map((i: { kind: string }) => i.kind)
        .sort(),
    ).toEqual(['onboarding', 'welcome']);
  });
  it('runs each sweep as its schedule does (no --at): from its mark, so a repeat decides nothing new', async () => {
    // Act
    const runNow = async (job: string) => JSON.parse((await hearth(dataDir, 'run', job, '--json')).stdout);
    const birthdays = [await runNow('birthdays'), await runNow('birthdays')];
    const winbacks = [await runNow('winback'), await runNow('winback')];

    // Assess: the second birthday run starts where the first stopped; the second win-back run has no day left.
    expect(birthdays[1].from).toBe(birthdays[0].to);
    expect(birthdays[1]).toMatchObject({ found: 0, queued: 0 });
    expect(winbacks[0]).toMatchObject({ job: 'winback', communities: 1, days: 1 });
    expect(winbacks[1]).toMatchObject({ days: 0, found: 0 });
  });
});
