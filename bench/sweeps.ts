/**
 * `npm run bench:sweeps`: the reads each lifecycle sweep makes, as DynamoDB
 * reports them (ReturnConsumedCapacity: TOTAL), for a community of 1,000
 * members and of 100,000, to check that they grow with what a sweep finds and
 * not with the community's size.
 *
 * For each size, a fresh table with one community (Asia/Shanghai, defaults
 * otherwise) and its members, written directly with BatchWriteItem as the app
 * stores them: birthdays spread evenly over the 366 month-days, last-active
 * days over the previous 60 days, join days over the previous 400 (a settled
 * welcome for each join of the last 30 days), and the same few planted members
 * at every size that each sweep must find: birthdays greeted in the swept hour,
 * silences crossing the 14-day rung, joins of a day ago. Then each sweep runs
 * once as an as-of run at 2026-11-26T01:00Z (09:00 in Shanghai): birthdays,
 * win-backs, drip, anniversaries, a holiday to every member two days on, the
 * referral qualification and the end-of-day standing (`tiers`) of yesterday,
 * for which 200 members (at every size) were active yesterday. Every read call is recorded (command, read units, items
 * returned, keys asked); the outbox puts are counted apart.
 *
 * Needs DYNAMODB_ENDPOINT (DynamoDB Local; `npm run bench` starts one through
 * scripts/ddb-local.sh --capacity-only and runs this after bench:capacity).
 * dynalite reports no consumed capacity, so there is no embedded fallback.
 * Prints a table per size and sweep, and what it shows; writes
 * bench/results/sweeps.json. Environment:
 *
 *   BENCH_SWEEPS_SIZES (1000,10000,100000): the community sizes, smallest first;
 *   BENCH_SEED_PARALLEL (8): BatchWriteItem calls in flight while seeding.
 */
import { randomUUID } from 'node:crypto';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ensureTable } from '../infra/local/dynamo';
import { type CommunityConfig, parseCommunityConfig } from '../shared/domain/config';
import { addDays, dayIn } from '../shared/domain/time';
import { putCommunity } from '../shared/store/communities';
import { messageSecond } from '../shared/store/days';
import { createDb, type Db } from '../shared/store/db';
import { memberDayKey, memberDaysPk, outboxId, outboxKey, shortKey } from '../shared/store/keys';
import { birthdaySweep } from '../shared/workflows/birthdays/decisions';
import { anniversarySweep, holidaySweep } from '../shared/workflows/occasions/decisions';
import { dripSweep } from '../shared/workflows/onboarding/decisions';
import { referralSweep } from '../shared/workflows/referrals/decisions';
import { standingSweep } from '../shared/workflows/standing/rollup';
import { winbackSweep } from '../shared/workflows/winback/decisions';
import {
  type Call,
  callOf,
  dynamoLocalEndpoint,
  envInt,
  host,
  localAdmin,
  type MeteredCall,
  meterCapacity,
  READ_COMMANDS,
  ROOT,
  random,
  round,
  seed,
  sourceState,
  storedMember,
  writeResults,
} from './lib';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const endpoint = dynamoLocalEndpoint('bench:sweeps');

const SIZES = (process.env.BENCH_SWEEPS_SIZES ?? '1000,10000,100000').split(',').map(Number);
if (SIZES.length < 2 || SIZES.some((n) => !Number.isInteger(n) || n < 100)) {
  console.error('BENCH_SWEEPS_SIZES must list two or more community sizes of at least 100, such as 1000,10000,100000');
  process.exit(2);
}
const [SMALLEST, LARGEST] = [SIZES[0], SIZES[SIZES.length - 1]];
const SEED_PARALLEL = envInt('BENCH_SEED_PARALLEL', 8);
/** Planted members per sweep, the same at every size. */
const PLANTED = 5;
/** 09:00 in Shanghai: the community's birthday hour (the default, 9). */
const NOW = new Date('2026-11-26T01:00:00Z');
/** Welcomes older than this are left out: the drip reads welcomes by key, of the last few join days only. */
const WELCOME_DAYS = 30;
/** Time zones some members set themselves; the rest are greeted in the community's. */
const ZONES = ['Europe/London', 'America/New_York', 'Asia/Kolkata', 'Asia/Shanghai'];

const TODAY = dayIn(NOW, 'Asia/Shanghai');
/** The holiday the holiday sweep decides: two days ahead, to every member. */
const HOLIDAY = addDays(TODAY, 2);
const community: CommunityConfig = parseCommunityConfig({
  id: 'bench',
  name: 'Sweeps benchmark',
  timezone: 'Asia/Shanghai',
  webhookSecret: 'whsec_bench_only',
  platform: { kind: 'generic' },
  // Greeted at 09:00 like birthdays, so that the swept hour holds the planted anniversaries.
  anniversaries: { hour: 9 },
  holidays: [{ date: HOLIDAY.slice(5), template: 'holiday', audience: 'members' }],
});

/** Every month-day of a leap year, `MM-DD`. */
const MONTH_DAYS = Array.from({ length: 366 }, (_, i) => new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(5, 10));

/** A member of the benchmark's community, as the app stores it (see `storedMember`). */
const memberItem = (id: string, joinDay: string, lastActiveDay?: string, birthday?: string, timezone?: string) =>
  storedMember(community.id, id, joinDay, { lastActiveDay, birthday, timezone });

/** The welcome a member got on joining, long since sent (settled: out of the due index). */
function welcomeItem(memberId: string, joinDay: string): Record<string, unknown> {
  const id = outboxId('welcome', community.id, memberId, joinDay);
  const at = `${joinDay}T02:00:00.000Z`;
  return {
    ...outboxKey(community.id, id),
    id,
    communityId: community.id,
    kind: 'welcome',
    memberId,
    delivery: community.onboarding.delivery,
    vars: {},
    status: 'sent',
    dueAt: at,
    createdAt: at,
    sentAt: at,
    attempts: 1,
    expiresAt: Math.floor(Date.parse(at) / 1000) + 90 * 86_400,
  };
}

/** The community's members, and the welcome items of recent joins. */
function population(size: number): { items: Record<string, unknown>[]; members: number; welcomes: number } {
  const next = random(size);
  const pick = (n: number) => Math.floor(next() * n);
  const items: Record<string, unknown>[] = [];
  let welcomes = 0;
  const add = (member: Record<string, unknown>, joinDay: string) => {
    items.push(member);
    if (joinDay > addDays(TODAY, -WELCOME_DAYS)) {
      items.push(welcomeItem(member.id as string, joinDay));
      welcomes++;
    }
  };
  for (let i = 0; i < size; i++) {
    const joinDay = addDays(TODAY, -(1 + pick(400)));
    const lastActive = addDays(TODAY, -(1 + pick(60)));
    const birthday = MONTH_DAYS[pick(366)];
    // One member in four set a time zone of their own.
    const zone = pick(4) === 0 ? ZONES[pick(ZONES.length)] : undefined;
    add(memberItem(`u${i}`, joinDay, lastActive, birthday, zone), joinDay);
  }
  const longAgo = addDays(TODAY, -200);
  for (let i = 0; i < PLANTED; i++) {
    // Birthday today, greeted at 09:00 community time: inside the swept hour.
    add(memberItem(`bday${i}`, longAgo, addDays(TODAY, -5), TODAY.slice(5)), longAgo);
    // Silent for exactly the first rung.
    add(memberItem(`quiet${i}`, longAgo, addDays(TODAY, -community.winback.ladderDays[0])), longAgo);
    // Joined yesterday, welcomed, not posted yet: the drip's first step.
    const yesterday = addDays(TODAY, -1);
    add(memberItem(`new${i}`, yesterday), yesterday);
    // First joined a year ago today: their first anniversary, at 09:00 community time.
    const yearAgo = `${Number(TODAY.slice(0, 4)) - 1}${TODAY.slice(4)}`;
    add(memberItem(`anniv${i}`, yearAgo), yearAgo);
  }
  return { items, members: size + 4 * PLANTED, welcomes };
}

/** Members active yesterday, the same at every size: the day the `tiers` job folds. */
const ACTIVE_YESTERDAY = 200;

/**
 * Yesterday's day rows of {@link ACTIVE_YESTERDAY} members, as ingest writes
 * them: three messages a minute apart, and a reaction to the next member's
 * message; and the planted referrals, pending since two days ago with their
 * member active on both days (each qualifies).
 */
function activity(): Record<string, unknown>[] {
  const yesterday = addDays(TODAY, -1);
  const dayBefore = addDays(TODAY, -2);
  const row = (id: string, day: string, extra: Record<string, unknown> = {}) => ({
    ...memberDayKey(community.id, day, id),
    memberId: id,
    day,
    memberDaysPk: memberDaysPk(community.id, id),
    messages: 3,
    replies: 0,
    reactions: 1,
    joins: 0,
    leaves: 0,
    ids: new Set([shortKey(`${id}-${day}`)]),
    msgAt: new Set([0, 60, 120].map((s) => messageSecond(day, new Date(Date.parse(`${day}T02:00:00Z`) + s * 1000)))),
    ...extra,
  });
  const items: Record<string, unknown>[] = [];
  for (let i = 0; i < ACTIVE_YESTERDAY; i++) {
    const next = `u${(i + 1) % ACTIVE_YESTERDAY}`;
    items.push(row(`u${i}`, yesterday, { credits: new Set([`a#${next}#${shortKey(`${next}-msg`)}`]) }));
  }
  for (let i = 0; i < PLANTED; i++) {
    const id = `referred${i}`;
    const joinedAt = `${dayBefore}T02:00:00.000Z`;
    items.push(
      {
        ...memberItem(id, dayBefore),
        referredBy: { memberId: 'u0', source: 'generic:code', confidence: 'exact' },
        referral: { status: 'pending', joinDay: dayBefore },
      },
      { pk: `C#${community.id}#REFPEND`, sk: id, memberId: id, referrerId: 'u0', joinDay: dayBefore, joinedAt },
      row(id, dayBefore),
      row(id, yesterday),
    );
  }
  return items;
}

const calls: Call[] = [];

/** What each call reported. */
const recordCall = (metered: MeteredCall): void => {
  calls.push(callOf(metered));
};

const SWEEPS = {
  birthdays: birthdaySweep,
  winback: winbackSweep,
  drip: dripSweep,
  anniversaries: anniversarySweep,
  holidays: holidaySweep,
  referrals: referralSweep,
  tiers: standingSweep,
} as const;
type SweepName = keyof typeof SWEEPS;

interface SweepResult {
  size: number;
  sweep: SweepName;
  /** The sweep's own report (found, queued, and what it swept). */
  report: { found: number; queued: number; monthDays?: string };
  reads: {
    requests: number;
    byCommand: Record<string, number>;
    /** Query and Get calls: fixed by the days, rungs and steps swept. */
    queryAndGet: number;
    batchGet: number;
    /** Keys the BatchGet calls asked for. */
    batchGetKeys: number;
    units: number;
    itemsReturned: number;
    unitsPerFound: number | null;
    calls: Call[];
  };
  writes: { requests: number; units: number; conditionFailed: number };
  seconds: number;
}

async function measure(db: Db, size: number, sweep: SweepName): Promise<SweepResult> {
  calls.length = 0;
  const started = performance.now();
  const swept = await SWEEPS[sweep](db, [community], NOW, { asOf: true });
  // One string: Biome prints a short array on one line, JSON.stringify does not.
  const report: SweepResult['report'] =
    'monthDays' in swept ? { ...swept, monthDays: swept.monthDays.join(', ') } : swept;
  const seconds = round((performance.now() - started) / 1000, 2);
  const mine = calls.splice(0);
  const reads = mine.filter((c) => READ_COMMANDS.has(c.command));
  const writes = mine.filter((c) => !READ_COMMANDS.has(c.command));
  const byCommand: Record<string, number> = {};
  for (const c of reads) byCommand[c.command] = (byCommand[c.command] ?? 0) + 1;
  const units = round(
    reads.reduce((a, c) => a + c.units, 0),
    2,
  );
  const batchGets = reads.filter((c) => c.command.startsWith('BatchGet'));
  return {
    size,
    sweep,
    report,
    reads: {
      requests: reads.length,
      byCommand,
      queryAndGet: reads.length - batchGets.length,
      batchGet: batchGets.length,
      batchGetKeys: batchGets.reduce((a, c) => a + (c.keys ?? 0), 0),
      units,
      itemsReturned: reads.reduce((a, c) => a + c.items, 0),
      unitsPerFound: report.found > 0 ? round(units / report.found, 3) : null,
      calls: reads,
    },
    writes: {
      requests: writes.length,
      units: round(
        writes.reduce((a, c) => a + c.units, 0),
        2,
      ),
      conditionFailed: writes.filter((c) => c.conditionFailed).length,
    },
    seconds,
  };
}

const admin = localAdmin(endpoint);
const began = performance.now();
const results: SweepResult[] = [];
const seeding: Array<{ size: number; members: number; welcomes: number; items: number; seconds: number }> = [];
let exitCode = 0;
/** What reading the whole table costs at each size: what a sweep that scanned would pay every run. */
const scans: Array<{ size: number; items: number; requests: number; units: number; seconds: number }> = [];

async function fullScan(db: Db, size: number) {
  const started = performance.now();
  let items = 0;
  let requests = 0;
  let units = 0;
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await db.doc.send(
      new ScanCommand({ TableName: db.table, Select: 'COUNT', ReturnConsumedCapacity: 'TOTAL', ExclusiveStartKey }),
    );
    requests++;
    items += page.Count ?? 0;
    units += page.ConsumedCapacity?.CapacityUnits ?? 0;
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return { size, items, requests, units: round(units, 1), seconds: round((performance.now() - started) / 1000, 2) };
}

for (const size of SIZES) {
  const table = `sweeps-${size}-${randomUUID().slice(0, 8)}`;
  const db = createDb({ table, endpoint, region: 'local' });
  const loader = createDb({ table, endpoint, region: 'local' });
  try {
    await ensureTable(endpoint, table);
    await putCommunity(loader, community, NOW);
    const { items: people, members, welcomes } = population(size);
    const items = [...people, ...activity()];
    const seedStarted = performance.now();
    await seed(loader, items, SEED_PARALLEL);
    const seedSeconds = round((performance.now() - seedStarted) / 1000, 1);
    seeding.push({ size, members, welcomes, items: items.length, seconds: seedSeconds });
    console.log(
      `seeded ${members.toLocaleString('en')} members and ${welcomes.toLocaleString('en')} welcomes in ${seedSeconds}s (${table})`,
    );
    meterCapacity(db, 'TOTAL', recordCall);
    for (const sweep of Object.keys(SWEEPS) as SweepName[]) results.push(await measure(db, size, sweep));
    scans.push(await fullScan(loader, size));
    const scan = scans[scans.length - 1];
    console.log(`  a full Scan of the same table: ${scan.items} items, ${scan.units} RCU, ${scan.seconds}s`);
  } catch (error) {
    console.error(`bench:sweeps failed at ${size} members:`, error);
    exitCode = 1;
  } finally {
    db.doc.destroy();
    loader.doc.destroy();
    await admin.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
  }
  if (exitCode) break;
}
admin.destroy();

if (exitCode === 0) {
  const col = (s: string | number | null, w: number) => String(s ?? '-').padStart(w);
  console.log(
    `\nReads per lifecycle sweep, as-of run at ${NOW.toISOString()} (${TODAY} 09:00 in ${community.timezone}), DynamoDB Local at ${endpoint}`,
  );
  console.log(
    `  ${'members'.padStart(8)}  ${'sweep'.padEnd(10)}${col('Q+Get', 6)}${col('BatchGet', 9)}${col('keys', 6)}${col('reads', 6)}${col('RCU', 8)}${col('found', 7)}${col('queued', 7)}${col('RCU/found', 10)}${col('puts', 6)}${col('WCU', 8)}${col('s', 7)}`,
  );
  for (const r of results) {
    console.log(
      `  ${col(r.size.toLocaleString('en'), 8)}  ${r.sweep.padEnd(10)}${col(r.reads.queryAndGet, 6)}${col(r.reads.batchGet, 9)}${col(r.reads.batchGetKeys, 6)}${col(r.reads.requests, 6)}${col(r.reads.units, 8)}${col(r.report.found, 7)}${col(r.report.queued, 7)}${col(r.reads.unitsPerFound, 10)}${col(r.writes.requests, 6)}${col(r.writes.units, 8)}${col(r.seconds, 7)}`,
    );
  }

  // What the figures show, sweep by sweep, computed rather than asserted.
  const findings: string[] = [];
  for (const sweep of Object.keys(SWEEPS) as SweepName[]) {
    const [small, large] = [SMALLEST, LARGEST].map((n) => results.find((r) => r.size === n && r.sweep === sweep));
    if (!small || !large) continue;
    const fixed = small.reads.queryAndGet === large.reads.queryAndGet;
    const keysPerFound = [small, large].map((r) => (r.report.found ? r.reads.batchGetKeys / r.report.found : 0));
    findings.push(
      `${sweep}: Query/Get calls ${fixed ? `the same at both sizes (${small.reads.queryAndGet})` : `DIFFER (${small.reads.queryAndGet} vs ${large.reads.queryAndGet})`}; ` +
        `BatchGet calls ${small.reads.batchGet} vs ${large.reads.batchGet} for ${small.report.found} vs ${large.report.found} found ` +
        `(keys asked per found: ${keysPerFound.map((k) => round(k, 2)).join(' vs ')}); ` +
        `read requests ${small.reads.requests === large.reads.requests ? 'identical' : 'NOT identical'} (${small.reads.requests} vs ${large.reads.requests}); ` +
        `read units ${small.reads.units} vs ${large.reads.units} (×${round(large.reads.units / Math.max(small.reads.units, 0.001), 1)}) ` +
        `for found ×${round(large.report.found / Math.max(small.report.found, 1), 1)} and members ×${round(large.size / small.size, 1)}` +
        (large.report.monthDays ? ` (month-days queried: ${large.report.monthDays}).` : '.'),
    );
  }
  const birthdaysLarge = results.find((r) => r.size === LARGEST && r.sweep === 'birthdays');
  for (const scan of scans) {
    const at = results.filter((r) => r.size === scan.size);
    const reads = at.reduce((sum, r) => sum + r.reads.units, 0);
    const found = at.reduce((sum, r) => sum + (r.report.found ?? 0), 0);
    findings.push(
      `${scan.size.toLocaleString('en')} members: the ${at.length} sweeps read ${round(reads, 1)} RCU for ${found.toLocaleString('en')} members found (most of them the holiday to every member, which reads each present member once by design); a full Scan of the same table reads ${scan.units} RCU (${scan.items.toLocaleString('en')} items, ${scan.seconds}s), every run.`,
    );
  }
  const notes = [
    'A BatchGet asks for at most 100 keys, so its calls are the sum over the partitions read of ceil(ids / 100): they follow what a sweep finds, not the community size; the Query calls are one per partition read (one page each here).',
    'winback: a member listed in both partitions of a rung (last active and joined on the same day) is found, and read, once.',
    'drip: two BatchGets per step, the members found and their welcome items.',
    'anniversaries: like birthdays, one Query of byAnniversary per month-day swept; the projection carries the first join, so no member is read.',
    `referrals: one Query of the pending referrals (${PLANTED} planted), and per referral its member and its day rows in the window.`,
    `tiers: the day's partition (${ACTIVE_YESTERDAY} members active yesterday at every size, each reacting to the next one's message), the members it names, and per member its 28 day rows; its writes are a credit mark per reaction, a day row and a member per member, and the tier counts.`,
    `holidays: a holiday to every member (${HOLIDAY}) reads the community's present members (byPresence), once: its found is the community, by design, and its puts are one per member.`,
    `birthdays: one Query per month-day swept (${birthdaysLarge?.report.monthDays ?? '?'} at this instant: an as-of run's candidate dates span 28 hours, two UTC midnights, so two month-days, only for runs from 19:00 to 22:00 UTC with a 09:00 greeting hour); the INCLUDE projection spares reading the members.`,
  ];
  for (const line of findings) console.log(`  ${line}`);
  for (const note of notes) console.log(`  note: ${note}`);

  const report = {
    benchmark: 'sweeps',
    at: new Date().toISOString(),
    host: host(),
    source: sourceState(),
    engine: {
      endpoint,
      note: 'DynamoDB Local reports consumed capacity as DynamoDB computes it (a Query: 0.5 RCU per 4 KB read, eventually consistent; a strongly consistent BatchGet: 1 RCU per item up to 4 KB)',
    },
    instant: NOW.toISOString(),
    community: { id: community.id, timezone: community.timezone, today: TODAY },
    population: {
      birthdays: 'every member, uniform over the 366 month-days',
      lastActive: 'every member, uniform over the 60 days before today',
      joins: 'every member, uniform over the 400 days before today; a sent welcome for joins of the last 30 days',
      timezones: `one member in four, uniform over ${ZONES.join(', ')}`,
      planted: `${PLANTED} each: birthday today (community zone), silent exactly ${community.winback.ladderDays[0]} days, joined yesterday and welcomed, first joined a year ago today`,
      holiday: `${HOLIDAY} to every member`,
    },
    seeding,
    results,
    scans,
    findings,
    notes,
    durationSeconds: round((performance.now() - began) / 1000, 1),
  };
  const file = await writeResults('sweeps.json', report);
  console.log(`  total ${report.durationSeconds}s; written to ${file.slice(ROOT.length)}`);
}
process.exit(exitCode);
