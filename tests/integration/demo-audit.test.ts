import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditSends } from '../../demo/audit';
import type { DemoCommunity } from '../../demo/community';
import type { Db } from '../../shared/store/db';
import { freshTable } from '../support/dynamo';
import { communityConfig } from '../support/fixtures';

/** One community in London: quiet 22:00-08:00, one capped message a day and three a week (the defaults). */
const config = communityConfig({ id: 'demo', timezone: 'Europe/London' });
const at = (iso: string) => Date.parse(iso);
const ground = {
  members: [
    { id: 'ada', timezone: 'Europe/London' },
    { id: 'bo', timezone: 'Asia/Tokyo' },
    { id: 'cy', timezone: 'Europe/London' },
  ],
  events: [
    { at: at('2026-11-10T10:00:00Z'), body: { type: 'message.posted', member: { id: 'ada' }, text: '/optout' } },
    { at: at('2026-11-12T10:00:00Z'), body: { type: 'message.posted', member: { id: 'ada' }, text: '/optin' } },
    { at: at('2026-11-11T10:00:00Z'), body: { type: 'member.left', member: { id: 'cy' } } },
    { at: at('2026-11-20T10:00:00Z'), body: { type: 'member.joined', member: { id: 'cy' } } },
  ],
} as unknown as DemoCommunity;

const line = (id: string, kind: string, memberId: string, sentAt: string) => ({ id, kind, memberId, sentAt });

describe('Function: auditSends', () => {
  let db: Db;
  let dir: string;

  beforeAll(async () => {
    db = await freshTable('audit');
    dir = await mkdtemp(join(tmpdir(), 'hearth-audit-'));
    await mkdir(join(dir, 'outbox'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const audit = async (lines: ReturnType<typeof line>[]) => {
    await writeFile(join(dir, 'outbox', 'chat.jsonl'), lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
    return auditSends(ground, config, db, dir);
  };

  it('counts nothing against what kept every rule', async () => {
    const result = await audit([
      line('w1', 'welcome', 'bo', '2026-11-09T23:30:00Z'), // a welcome goes at any hour
      line('b1', 'birthday', 'bo', '2026-11-09T01:00:00Z'), // 10:00 in Tokyo
      line('r1', 'reply', 'ada', '2026-11-10T10:00:05Z'), // the answer to /optout
      line('h1', 'holiday', 'ada', '2026-11-13T09:00:00Z'), // after /optin
      line('h2', 'holiday', 'cy', '2026-11-21T09:00:00Z'), // after coming back
    ]);
    expect(result).toMatchObject({
      checked: 5,
      quietHours: 0,
      afterOptOut: 0,
      overCaps: 0,
      duplicates: 0,
      toDeparted: 0,
    });
  });

  it('counts each broken rule once', async () => {
    const result = await audit([
      line('b2', 'birthday', 'bo', '2026-11-09T15:00:00Z'), // 00:00 in Tokyo: quiet
      line('h3', 'holiday', 'ada', '2026-11-11T09:00:00Z'), // opted out
      line('h4', 'holiday', 'cy', '2026-11-15T09:00:00Z'), // departed
      line('o1', 'onboarding', 'bo', '2026-11-16T01:00:00Z'),
      line('o2', 'onboarding', 'bo', '2026-11-16T02:00:00Z'), // a second capped message inside 24 hours
      line('o2', 'onboarding', 'bo', '2026-11-16T02:00:00Z'), // and the same line twice
    ]);
    expect(result).toMatchObject({
      checked: 6,
      quietHours: 1,
      afterOptOut: 1,
      overCaps: 1,
      duplicates: 1,
      toDeparted: 1,
    });
    expect(result.examples[0]).toMatch(/^quietHours: b2 at /);
  });
});
