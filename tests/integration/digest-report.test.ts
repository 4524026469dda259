import { beforeAll, describe, expect, it } from 'vitest';
import type { CommunityConfig } from '../../shared/domain/config';
import { createDb, type Db } from '../../shared/store/db';
import { ingestEvent } from '../../shared/store/ingest';
import { type Period, parsePeriod } from '../../shared/workflows/digest/periods';
import { digestReport } from '../../shared/workflows/digest/report';
import { keptNumbers } from '../../shared/workflows/digest/store';
import { freshTable } from '../support/dynamo';
import { communityConfig, inboundEvent } from '../support/fixtures';

const at = (iso: string) => new Date(iso);
const week = (key: string) => parsePeriod('week', key) as Period;

describe('The digest of a period: changes, trends, targets and attention', () => {
  let db: Db;
  let c: CommunityConfig;
  const say = (member: string, when: string) =>
    ingestEvent(db, c, inboundEvent('message.posted', member, when), { now: at(when) });

  beforeAll(async () => {
    db = await freshTable('digest-report');
    c = communityConfig({
      id: 'report',
      timezone: 'UTC',
      onboarding: { enabled: false },
      targets: [
        { metric: 'wau', value: 6, by: '2026-12-27' },
        { metric: 'messages', value: 100, by: '2026-12-13' },
      ],
    });
    // Weeks 2026-W45 to W48: 4, 4, 4, 4 members active; W49: 2.
    for (const [first, count] of [
      ['2026-11-02', 4],
      ['2026-11-09', 4],
      ['2026-11-16', 4],
      ['2026-11-23', 4],
      ['2026-11-30', 2],
    ] as const) {
      for (let i = 0; i < count; i++) await say(`m${i}`, `${first}T10:0${i}:00Z`);
    }
  });

  it('compares each metric with last week, the good way or not, keeps finished weeks, and says what needs attention', async () => {
    // Act
    const report = await digestReport(db, c, week('2026-W49'), at('2026-12-07T09:00:00Z'));

    // Assess
    expect(report.numbers.wau).toBe(2);
    expect(report.changes.wau).toEqual({ value: 2, previous: 4, change: -0.5, good: false });
    // Members: first seen in W45, none left, so no change: "n/a" only when last week was 0.
    expect(report.changes.members).toEqual({ value: 4, previous: 4, change: 0, good: null });
    expect(report.changes.leaves).toEqual({ value: 0, previous: 0, change: null, good: null });
    expect(report.trends.map((t) => [t.period, t.wau])).toEqual([
      ['2026-W42', 0],
      ['2026-W43', 0],
      ['2026-W44', 0],
      ['2026-W45', 4],
      ['2026-W46', 4],
      ['2026-W47', 4],
      ['2026-W48', 4],
      ['2026-W49', 2],
    ]);
    expect(await keptNumbers(db, c.id, week('2026-W48'))).toMatchObject({ wau: 4, messages: 4 });
    // The week itself is kept as its digest is built: next week's digest reads its row.
    expect(await keptNumbers(db, c.id, week('2026-W49'))).toMatchObject({ wau: 2, messages: 2 });
    // WAU at half its 4-week average; churn, which had no one to lose before, is measured from W46 on.
    expect(report.attention).toContainEqual({ metric: 'wau', kind: 'low', value: 2, against: 4 });
    // Messages: 4 a week for 4 weeks, then 2: far from 100 by 13 December.
    const messages = report.targets.find((t) => t.metric === 'messages');
    expect(messages).toMatchObject({ current: 2, onPace: false });
    // 4 messages in W45, 2 in W49: −0.5 a week, so 1.5 by 13 December.
    expect(report.attention).toContainEqual({
      metric: 'messages',
      kind: 'offPace',
      value: 2,
      against: 100,
      by: '2026-12-13',
      projected: 1.5,
    });
  });

  it('keeps no period that has not ended where the community is', async () => {
    // Act: the week of 2026-12-14 previewed on its Sunday, 23:00 UTC (still Sunday in this UTC community).
    const report = await digestReport(db, c, week('2026-W51'), at('2026-12-20T23:00:00Z'));

    // Assess
    expect(report.period.key).toBe('2026-W51');
    expect(await keptNumbers(db, c.id, week('2026-W51'))).toBeUndefined();
  });

  it('fails whole when a number cannot be read, rather than report zeros', async () => {
    // Prepare: the same table, through a client whose queries fail.
    const broken = createDb({ table: db.table, endpoint: await endpointOf(db), region: 'us-east-1' });
    broken.doc.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'QueryCommand') throw new Error('ProvisionedThroughputExceededException');
        return next(args);
      },
      { step: 'initialize', name: 'failQueries' },
    );

    // Act and assess
    await expect(digestReport(broken, c, week('2026-W49'), at('2026-12-07T09:00:00Z'))).rejects.toThrow(
      'ProvisionedThroughputExceededException',
    );
    broken.doc.destroy();
  });
});

/** The endpoint a test table's client talks to. */
async function endpointOf(db: Db): Promise<string> {
  const endpoint = await db.doc.config.endpoint?.();
  if (!endpoint) throw new Error('no endpoint');
  return `${endpoint.protocol}//${endpoint.hostname}:${endpoint.port}${endpoint.path === '/' ? '' : endpoint.path}`;
}
