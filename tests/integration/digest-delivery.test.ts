import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatSender } from '../../shared/chat/sender';
import type { CommunityConfig } from '../../shared/domain/config';
import { FileMailer } from '../../shared/mail/mailer';
import { CommunityCache, putCommunity } from '../../shared/store/communities';
import type { Db } from '../../shared/store/db';
import { countDelivery } from '../../shared/store/deliveries';
import { ingestEvent } from '../../shared/store/ingest';
import { getOutboxItem } from '../../shared/store/outbox';
import { digestSweep, duePeriods } from '../../shared/workflows/digest/decisions';
import { dispatch, MAX_ATTEMPTS, MIN_MAIL_MS, SETTLE_MARGIN_MS } from '../../shared/workflows/dispatch';
import { freshTable } from '../support/dynamo';
import { communityConfig, inboundEvent } from '../support/fixtures';

const at = (iso: string) => new Date(iso);
const noChat: ChatSender = {
  async send() {
    throw new Error('a digest is not a chat message');
  },
};

describe('Digest delivery: once per period, at the local weekday and hour, by email', () => {
  let db: Db;
  let mailDir: string;
  let c: CommunityConfig;

  beforeAll(async () => {
    db = await freshTable('digest-delivery');
    mailDir = await mkdtemp(join(tmpdir(), 'hearth-digest-mail-'));
    c = communityConfig({
      id: 'weekly',
      name: 'Weekly Makers',
      timezone: 'Asia/Shanghai',
      operators: ['ops@weekly.example'],
      onboarding: { enabled: false },
      digest: { monthly: true },
    });
    await putCommunity(db, c, at('2026-01-01T00:00:00Z'));
    await ingestEvent(db, c, inboundEvent('message.posted', 'ada', '2026-12-22T02:00:00Z'), {
      now: at('2026-12-22T02:00:00Z'),
    });
  });
  afterAll(() => rm(mailDir, { recursive: true, force: true }));

  const deps = (database: Db) => ({
    db: database,
    communities: new CommunityCache(database, 0),
    senderFor: () => noChat,
    mail: { mailer: new FileMailer(mailDir), from: 'Hearth <hearth@localhost>' },
  });

  it('finds a week due from 09:00 local on Monday, a month on the first, and nothing before the hour', () => {
    // Monday 4 January 2027 in Shanghai: 08:59 is 00:59Z, 09:00 is 01:00Z.
    expect(duePeriods(c, at('2027-01-04T00:59:00Z'))).toEqual([]);
    expect(duePeriods(c, at('2027-01-04T01:00:00Z'))).toEqual([{ kind: 'week', key: '2026-W53' }]);
    expect(duePeriods(c, at('2027-01-11T01:00:00Z'))).toEqual([{ kind: 'week', key: '2027-W01' }]);
    // Friday 1 January 2027, 09:00 in Shanghai: the December review.
    expect(duePeriods(c, at('2027-01-01T01:00:00Z'))).toEqual([{ kind: 'month', key: '2026-12' }]);
  });

  it('still finds a digest due for 24 hours after its send time, for runs that were missed, and not after', () => {
    // Tuesday 5 January 2027 in Shanghai: 08:59 is within a day of Monday 09:00, 09:00 is not.
    expect(duePeriods(c, at('2027-01-05T00:59:00Z'))).toEqual([{ kind: 'week', key: '2026-W53' }]);
    expect(duePeriods(c, at('2027-01-05T01:00:00Z'))).toEqual([]);
    // Saturday 2 January, 08:00: the December review, still.
    expect(duePeriods(c, at('2027-01-02T00:00:00Z'))).toEqual([{ kind: 'month', key: '2026-12' }]);
    // Sunday at 23:00 in Los Angeles: the week that has ended (W53, not W01 which ends at midnight); its
    // catch-up runs into Monday and is still W53's.
    const sunday = communityConfig({
      id: 'sunday',
      timezone: 'America/Los_Angeles',
      operators: ['ops@sunday.example'],
      digest: { weekday: 7, hour: 23 },
    });
    expect(duePeriods(sunday, at('2027-01-11T06:59:00Z'))).toEqual([]);
    expect(duePeriods(sunday, at('2027-01-11T07:00:00Z'))).toEqual([{ kind: 'week', key: '2026-W53' }]);
    expect(duePeriods(sunday, at('2027-01-11T20:00:00Z'))).toEqual([{ kind: 'week', key: '2026-W53' }]);
    expect(duePeriods(sunday, at('2027-01-12T07:00:00Z'))).toEqual([]);
    // Kathmandu (+05:45): the hourly job on minute 0 UTC meets 09:45, within the window.
    const kathmandu = communityConfig({ id: 'ktm', timezone: 'Asia/Kathmandu', operators: ['ops@ktm.example'] });
    expect(duePeriods(kathmandu, at('2027-01-04T04:00:00Z'))).toEqual([{ kind: 'week', key: '2026-W53' }]);
  });

  it('queues each digest once however often the job runs, and mails it to the operators', async () => {
    // Prepare: a welcome the dispatcher sent in the week.
    await countDelivery(db, c.id, '2026-12-29', { sent: 'welcome' });

    // Act
    const first = await digestSweep(db, [c], at('2027-01-04T01:00:00Z'));
    const again = await digestSweep(db, [c], at('2027-01-04T02:00:00Z'));
    const sent = await dispatch(deps(db), at('2027-01-04T01:00:30Z'), { asOf: true });

    // Assess
    expect([first.queued, again.queued, sent.sent]).toEqual([1, 0, 1]);
    expect(await getOutboxItem(db, c.id, 'digest#weekly#2026-W53')).toMatchObject({ status: 'sent', kind: 'digest' });
    const files = (await readdir(mailDir)).sort();
    expect(files).toEqual(['digest_weekly_2026-W53.eml', 'digest_weekly_2026-W53.html']);
    const eml = await readFile(join(mailDir, files[0]), 'utf8');
    expect(eml).toContain('To: ops@weekly.example');
    expect(eml).toMatch(/Subject: =\?UTF-8\?|Subject: Weekly Makers/);
    expect(eml).toContain('multipart/alternative');
    // The kinds sent, by the names the registry gives them in the community's locale (Shanghai, en).
    expect(eml).toContain('Sent: Welcomes: 1');
  });

  it('mails nothing when preparing the digest left too little of its lease, and tries again', async () => {
    // Prepare: a December review due; a run whose time runs out between the claim (30 s left, enough to
    // claim) and the mail (just under the margin and the mail's minimum left), as a long preparation does.
    await digestSweep(db, [c], at('2027-01-01T01:00:00Z'));
    let asked = 0;
    const late = { ...deps(db), timeLeftMs: () => (asked++ === 0 ? 30_000 : SETTLE_MARGIN_MS + MIN_MAIL_MS - 1_000) };

    // Act
    const report = await dispatch(late, at('2027-01-01T01:00:30Z'), { asOf: true });

    // Assess
    expect(report).toMatchObject({ sent: 0, retried: 1 });
    const item = await getOutboxItem(db, c.id, 'digest#weekly#2026-12');
    expect(item).toMatchObject({ status: 'pending', attempts: 1 });
    expect(item?.reason).toContain('out of time before mailing');
    expect(await readdir(mailDir)).not.toContain('digest_weekly_2026-12.eml');
  });

  it('parks a digest whose numbers cannot be read as failed, with the reason, and mails nothing', async () => {
    // Prepare: the same table, through a client whose reads of day partitions fail.
    const broken = Object.create(db) as Db;
    const failing = { ...db.doc, send: db.doc.send.bind(db.doc) };
    failing.send = (async (command: {
      input?: { KeyConditionExpression?: string; ExpressionAttributeValues?: Record<string, unknown> };
    }) => {
      const pk = String(command.input?.ExpressionAttributeValues?.[':pk'] ?? '');
      if (pk.includes('#D#')) throw new Error('InternalServerError: the day partition could not be read');
      return db.doc.send(command as never);
    }) as typeof db.doc.send;
    Object.defineProperty(broken, 'doc', { value: failing });
    await digestSweep(db, [c], at('2027-01-11T01:00:00Z'));

    // Act: the dispatcher retries with backoff until the attempts are spent.
    let when = Date.parse('2027-01-11T01:00:30Z');
    const reports = [];
    for (let i = 0; i < MAX_ATTEMPTS; i++, when += 30 * 60_000)
      reports.push(await dispatch(deps(broken), new Date(when), { asOf: true }));

    // Assess
    const item = await getOutboxItem(db, c.id, 'digest#weekly#2027-W01');
    expect(item).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS });
    expect(item?.reason).toContain('the day partition could not be read');
    expect((await readdir(mailDir)).filter((f) => f.endsWith('.eml'))).toEqual(['digest_weekly_2026-W53.eml']);
    // The run that parks it says so by kind: the handler's SendsParked metric, which the AWS alarm watches.
    expect(reports.map((r) => r.parked)).toEqual([...Array(MAX_ATTEMPTS - 1).fill({}), { digest: 1 }]);
  });
});
