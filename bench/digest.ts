/**
 * `npm run bench:digest`: what one weekly digest costs, against the plain read
 * of the same data, on DynamoDB Local, for a community of 100,000 members of
 * whom 10,000 are active each week, with a year of history.
 *
 * The table holds what a year of Hearth leaves behind, written directly with
 * BatchWriteItem in the shapes the app stores: every member's item; each
 * day's member day rows (each week 10,000 members active: a core of 6,000
 * every week and 4,000 drawn from the rest, each on 1, 2 or 3 days of the
 * week, with messages, reactions, replies and their seconds; each newcomer's
 * join); the membership count of each day (60,000 members from before the
 * year, then 110 first joins a day); and the aggregates the workflows keep: the
 * dispatcher's tallies, win-back tallies, drip tallies, the referral funnel
 * and referrers of each week, and the tiers of each week.
 *
 * Then, at Monday 2026-11-30 09:00 in Shanghai (the digest of 2026-W48):
 *
 *   1. the first digest, with no week kept yet (it computes and keeps the 7
 *      weeks before, for its changes, pace and trends);
 *   2. the digest as it runs every week after that (those weeks kept), three
 *      times: `digestReport` and `renderDigest`, every read metered
 *      (ReturnConsumedCapacity: TOTAL);
 *   3. the plain read it is held to, three times: one paginated Query, no
 *      projection, of each of the 35 day partitions the digest needs, one
 *      after another and all at once; and a plain read of the aggregate rows
 *      it needs.
 *
 * Targets (exit 1 when missed): the digest's items read within 1.2× of the
 * rows it needs (the 35 day partitions plus those aggregates), and its time
 * within 1.5× of the plain Query of the day partitions, one after another.
 * Prints a table; writes bench/results/digest.json.
 *
 * Needs DYNAMODB_ENDPOINT (DynamoDB Local; `npm run bench` starts one). Environment:
 *
 *   BENCH_DIGEST_MEMBERS (100000), BENCH_DIGEST_WEEKLY_ACTIVE (10000),
 *   BENCH_DIGEST_DAYS (365): the community and its history;
 *   BENCH_DIGEST_RUNS (3): measured runs of the digest and of the plain read;
 *   BENCH_SEED_PARALLEL (16): BatchWriteItem calls in flight while seeding.
 */
import { randomUUID } from 'node:crypto';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { QueryCommand, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { digestNames } from '../cli/commands/digest';
import { ensureTable } from '../infra/local/dynamo';
import { type CommunityConfig, parseCommunityConfig } from '../shared/domain/config';
import { addDays } from '../shared/domain/time';
import { putCommunity } from '../shared/store/communities';
import { messageSecond } from '../shared/store/days';
import { createDb, getItem, queryBetween, queryPartition } from '../shared/store/db';
import { dayPk, memberDayKey, memberDaysPk, shortKey } from '../shared/store/keys';
import { renderDigest } from '../shared/workflows/digest/email';
import { daysRead } from '../shared/workflows/digest/metrics';
import { type Period, parsePeriod, periodOf, previousPeriod } from '../shared/workflows/digest/periods';
import { digestReport, TREND_PERIODS } from '../shared/workflows/digest/report';
import {
  type Call,
  callOf,
  dynamoLocalEndpoint,
  envInt,
  host,
  localAdmin,
  meterCapacity,
  percentile,
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

const endpoint = dynamoLocalEndpoint('bench:digest');

const MEMBERS = envInt('BENCH_DIGEST_MEMBERS', 100_000);
const WEEKLY_ACTIVE = envInt('BENCH_DIGEST_WEEKLY_ACTIVE', 10_000);
const HISTORY_DAYS = envInt('BENCH_DIGEST_DAYS', 365);
const RUNS = envInt('BENCH_DIGEST_RUNS', 3);
const SEED_PARALLEL = envInt('BENCH_SEED_PARALLEL', 16);
/** The targets the issue sets. */
const READ_TARGET = 1.2;
const TIME_TARGET = 1.5;

/** Monday 09:00 in Shanghai: the digest of the week just ended is due. */
const NOW = new Date('2026-11-30T01:00:00Z');
const WEEK = parsePeriod('week', '2026-W48') as Period;
const DAYS = Array.from({ length: HISTORY_DAYS }, (_, i) => addDays(WEEK.last, i - HISTORY_DAYS + 1));
/** First joins a day through the year; the rest of the members were there before it. */
const JOINS_PER_DAY = Math.max(1, Math.min(110, Math.floor(MEMBERS / 2 / HISTORY_DAYS)));
const NEWCOMERS = JOINS_PER_DAY * HISTORY_DAYS;
const OLD_MEMBERS = MEMBERS - NEWCOMERS;
/** The members active every week; the rest of the weekly active are drawn each week. */
const CORE = Math.min(OLD_MEMBERS, Math.round(WEEKLY_ACTIVE * 0.6));

const community: CommunityConfig = parseCommunityConfig({
  id: 'bench',
  name: 'Digest benchmark',
  timezone: 'Asia/Shanghai',
  webhookSecret: 'whsec_bench_only',
  platform: { kind: 'generic' },
  operators: ['ops@bench.example'],
  targets: [{ metric: 'wau', value: 12_000, by: '2027-03-31' }],
});
const C = community.id;

/** Member ids: `o<i>` from before the year, `n<i>` who first joined on day `floor(i / JOINS_PER_DAY)`. */
const oldId = (i: number) => `o${i}`;
const newId = (i: number) => `n${i}`;
const joinDayOf = (i: number) => DAYS[Math.floor(i / JOINS_PER_DAY)];
const at = (day: string, second: number) => new Date(Date.parse(`${day}T01:00:00Z`) + second * 1000);

/** A member's day row as ingest leaves it: counts, the events' keys, and the seconds of each. */
function dayRow(id: string, day: string, next: () => number, joined: boolean, active = true): Record<string, unknown> {
  const messages = active ? 1 + Math.floor(next() * 5) : 0;
  const reactions = active ? Math.floor(next() * 3) : 0;
  const replies = Math.floor(next() * Math.min(messages, 2));
  const second = () => Math.floor(next() * 50_000);
  const seconds = (n: number) => new Set(Array.from({ length: n }, () => messageSecond(day, at(day, second()))));
  return {
    ...memberDayKey(C, day, id),
    memberId: id,
    day,
    memberDaysPk: memberDaysPk(C, id),
    messages,
    replies,
    reactions,
    joins: joined ? 1 : 0,
    leaves: 0,
    ids: new Set(
      Array.from({ length: messages + reactions + (joined ? 1 : 0) }, (_, k) => shortKey(`${id}-${day}-${k}`)),
    ),
    ...(messages ? { msgAt: seconds(messages) } : {}),
    ...(reactions ? { reactAt: seconds(reactions) } : {}),
    ...(joined ? { joinAt: new Set([messageSecond(day, at(day, 0))]) } : {}),
    ...(replies ? { credits: new Set([`r#o${Math.floor(next() * CORE)}#${shortKey(`${id}${day}`)}`]) } : {}),
  };
}

/** The ISO weeks of the history, each with its days in it. */
function weeksOfHistory(): Array<{ key: string; days: string[] }> {
  const weeks = new Map<string, string[]>();
  for (const day of DAYS) {
    const key = periodOf('week', day).key;
    weeks.set(key, [...(weeks.get(key) ?? []), day]);
  }
  return [...weeks].map(([key, days]) => ({ key, days }));
}

/** One week's day rows: the core and a draw of the rest, each on 1 to 3 days; each newcomer's join. */
function weekRows(week: { key: string; days: string[] }, next: () => number): Record<string, unknown>[] {
  const rows = new Map<string, Record<string, unknown>>();
  const firstDay = DAYS.indexOf(week.days[0]);
  const lastDay = DAYS.indexOf(week.days[week.days.length - 1]);
  // Who can be active this week: the members from before, and those who had joined by its end.
  const present = OLD_MEMBERS + Math.min(NEWCOMERS, (lastDay + 1) * JOINS_PER_DAY);
  const idOf = (i: number) => (i < OLD_MEMBERS ? oldId(i) : newId(i - OLD_MEMBERS));
  const firstDayOf = (i: number) => (i < OLD_MEMBERS ? 0 : Math.floor((i - OLD_MEMBERS) / JOINS_PER_DAY));
  // Half the newcomers are active on their join day; the draw makes up the rest of the weekly active.
  const drawn = Math.min(WEEKLY_ACTIVE - Math.round((week.days.length * JOINS_PER_DAY) / 2), present);
  const active = new Set<number>();
  for (let i = 0; i < CORE; i++) active.add(i);
  while (active.size < drawn) active.add(CORE + Math.floor(next() * (present - CORE)));
  const add = (i: number, day: string, joined: boolean) => {
    const id = idOf(i);
    const key = `${day}#${id}`;
    if (!rows.has(key) || joined) rows.set(key, dayRow(id, day, next, joined, !joined || next() < 0.5));
  };
  for (const i of active) {
    const from = Math.max(0, firstDayOf(i) - firstDay);
    const choices = week.days.slice(from);
    if (choices.length === 0) continue;
    const r = next();
    const k = r < 0.6 ? 1 : r < 0.9 ? 2 : 3;
    for (let j = 0; j < k; j++) add(i, choices[Math.floor(next() * choices.length)], false);
  }
  // Each newcomer's row of their join day.
  for (let d = firstDay; d <= lastDay; d++) {
    for (let j = d * JOINS_PER_DAY; j < (d + 1) * JOINS_PER_DAY && j < NEWCOMERS; j++)
      add(OLD_MEMBERS + j, DAYS[d], true);
  }
  return [...rows.values()];
}

/** The aggregates a year of the workflows keeps, in their stored shapes. */
function aggregates(next: () => number): Record<string, unknown>[] {
  const items: Record<string, unknown>[] = [];
  const ids = (prefix: string, n: number) => new Set(Array.from({ length: n }, (_, k) => `${prefix}${k}`));
  DAYS.forEach((day, d) => {
    // At least one first join a day: DynamoDB stores no empty set.
    const joined = Array.from({ length: JOINS_PER_DAY }, (_, k) => newId(d * JOINS_PER_DAY + k));
    items.push({
      pk: `C#${C}#MEMBERS`,
      sk: day,
      day,
      delta: JOINS_PER_DAY + (d === 0 ? OLD_MEMBERS : 0),
      firstJoins: new Set(joined),
      events: new Set(joined.map((id) => shortKey(`join-${id}`))),
    });
    items.push({
      pk: `C#${C}#DELIVERIES`,
      sk: day,
      day,
      'sent:welcome': JOINS_PER_DAY,
      'sent:onboarding': 2 * JOINS_PER_DAY - 7,
      'sent:birthday': 180 + Math.floor(next() * 80),
      'sent:winback': 40 + Math.floor(next() * 20),
      'sent:reply': 30 + Math.floor(next() * 30),
      'held:quiet hours': 20 + Math.floor(next() * 20),
      'held:frequency cap': Math.floor(next() * 8),
      'held:member opted out': Math.floor(next() * 4),
    });
    items.push({ pk: `C#${C}#WINBACK`, sk: day, day, sent: 50, wonBack: 8 + Math.floor(next() * 6) });
    items.push({
      pk: `C#${C}#DRIP`,
      sk: day,
      day,
      welcomed: new Set(joined),
      completed: new Set(joined.filter((_, k) => k === 0 || next() < 0.8)),
    });
  });
  for (const week of weeksOfHistory()) {
    items.push({
      pk: `C#${C}#REFFUNNEL`,
      sk: week.key,
      issued: ids(`${week.key}i`, 40),
      joined: ids(`${week.key}j`, 12),
      qualified: ids(`${week.key}q`, 6),
    });
    for (let r = 0; r < 8; r++) {
      items.push({
        pk: `C#${C}#REFERRERS#${week.key}`,
        sk: oldId(r),
        referrerId: oldId(r),
        joined: ids(`${week.key}r${r}j`, 1 + (r % 3)),
        ...(r % 2 ? { qualified: ids(`${week.key}r${r}q`, 1) } : {}),
      });
    }
    items.push({
      pk: `C#${C}#TIERS`,
      sk: week.key,
      promoted: 300 + Math.floor(next() * 100),
      demoted: 200 + Math.floor(next() * 100),
      lurker_regular: 150,
      distribution: { lurker: 80_000, newcomer: 1_500, regular: 12_000, active: 4_500, core: 1_500, champion: 500 },
    });
  }
  items.push({ pk: `C#${C}#DELIVERIES`, sk: 'waiting', failed: 2 });
  return items;
}

const admin = localAdmin(endpoint);
const table = `digest-${randomUUID().slice(0, 8)}`;
const db = createDb({ table, endpoint, region: 'local' });
const loader = createDb({ table, endpoint, region: 'local' });
const calls: Call[] = [];
meterCapacity(db, 'TOTAL', (call) => calls.push(callOf(call)));

/** The reads of `work`, as the engine reported them, and its time. */
async function metered<T>(work: () => Promise<T>) {
  calls.length = 0;
  const started = performance.now();
  const value = await work();
  const ms = performance.now() - started;
  const reads = calls.filter((c) => READ_COMMANDS.has(c.command));
  const byCommand: Record<string, number> = {};
  for (const c of reads) byCommand[c.command] = (byCommand[c.command] ?? 0) + 1;
  return {
    value,
    ms,
    requests: reads.length,
    byCommand,
    items: reads.reduce((n, c) => n + c.items, 0),
    units: round(
      reads.reduce((n, c) => n + c.units, 0),
      1,
    ),
    scans: reads.filter((c) => c.command === 'Scan').length,
    writes: calls.filter((c) => !READ_COMMANDS.has(c.command)).length,
  };
}

/** One plain paginated Query of a partition, every attribute. */
async function plainQuery(pk: string): Promise<number> {
  let count = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page: QueryCommandOutput = await db.doc.send(
      new QueryCommand({
        TableName: db.table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ExclusiveStartKey: start,
      }),
    );
    count += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start);
  return count;
}

/** The aggregate rows a week's digest needs, read plainly: each partition's range, or the item. */
async function aggregatesNeeded(): Promise<number> {
  const before = previousPeriod(WEEK);
  const kept = [];
  for (let p = before, i = 1; i < TREND_PERIODS; p = previousPeriod(p), i++) kept.push(p);
  const last = community.onboarding.steps.at(-1)?.afterDays ?? 0;
  const counts = await Promise.all([
    queryBetween(db, `C#${C}#MEMBERS`, '0000-01-01', WEEK.last),
    queryBetween(db, `C#${C}#DELIVERIES`, WEEK.first, WEEK.last),
    getItem(db, { pk: `C#${C}#DELIVERIES`, sk: 'waiting' }),
    queryBetween(db, `C#${C}#WINBACK`, before.first, before.last),
    queryBetween(db, `C#${C}#DRIP`, addDays(WEEK.first, -last), addDays(WEEK.last, -last)),
    getItem(db, { pk: `C#${C}#REFFUNNEL`, sk: WEEK.key }),
    queryPartition(db, `C#${C}#REFERRERS#${WEEK.key}`),
    getItem(db, { pk: `C#${C}#TIERS`, sk: WEEK.key }),
    ...kept.map((p) => getItem(db, { pk: `C#${C}#DIGEST`, sk: `week#${p.key}` })),
  ]);
  return counts.reduce<number>((n, found) => n + (Array.isArray(found) ? found.length : found ? 1 : 0), 0);
}

const digest = async () => {
  const report = await digestReport(db, community, WEEK, NOW);
  return { report, email: renderDigest(report, digestNames(community)) };
};

const began = performance.now();
let exitCode = 0;
try {
  await ensureTable(endpoint, table);
  await putCommunity(loader, community, NOW);

  // The year, a week at a time (a week's rows are generated, written, then let go).
  const seedStarted = performance.now();
  const next = random(MEMBERS);
  let written = 0;
  const members: Record<string, unknown>[] = [];
  for (let i = 0; i < OLD_MEMBERS; i++) members.push(storedMember(C, oldId(i), DAYS[0]));
  for (let i = 0; i < NEWCOMERS; i++) members.push(storedMember(C, newId(i), joinDayOf(i)));
  const fixed = [...members, ...aggregates(next)];
  await seed(loader, fixed, SEED_PARALLEL);
  written += fixed.length;
  let dayRows = 0;
  for (const week of weeksOfHistory()) {
    const rows = weekRows(week, next);
    await seed(loader, rows, SEED_PARALLEL);
    dayRows += rows.length;
    written += rows.length;
  }
  const seedSeconds = round((performance.now() - seedStarted) / 1000, 1);
  console.log(
    `seeded ${MEMBERS.toLocaleString('en')} members, ${dayRows.toLocaleString('en')} day rows over ${HISTORY_DAYS} days, ${written.toLocaleString('en')} items in ${seedSeconds}s (${table})`,
  );

  // 1. The first digest: nothing kept yet.
  const first = await metered(digest);
  // 2, 3. The steady digest and the plain read, alternately.
  const partitions = daysRead(WEEK).map((day) => dayPk(C, day));
  const steady: Array<Awaited<ReturnType<typeof metered<Awaited<ReturnType<typeof digest>>>>>> = [];
  const sequential: Array<Awaited<ReturnType<typeof metered<number>>>> = [];
  const parallel: Array<Awaited<ReturnType<typeof metered<number>>>> = [];
  for (let run = 0; run < RUNS; run++) {
    steady.push(await metered(digest));
    sequential.push(
      await metered(async () => {
        let rows = 0;
        for (const pk of partitions) rows += await plainQuery(pk);
        return rows;
      }),
    );
    parallel.push(
      await metered(async () => (await Promise.all(partitions.map(plainQuery))).reduce((a, b) => a + b, 0)),
    );
  }
  const aggregate = await metered(aggregatesNeeded);
  const median = (values: number[]) => round(percentile(values, 50), 0);
  const partitionRows = sequential[0].value;
  const needed = partitionRows + aggregate.value;
  const last = steady[steady.length - 1];
  const digestMs = median(steady.map((r) => r.ms));
  const sequentialMs = median(sequential.map((r) => r.ms));
  const parallelMs = median(parallel.map((r) => r.ms));
  const readRatio = round(last.items / needed, 3);
  const unitRatio = round(last.units / (sequential[0].units + aggregate.units), 3);
  const timeRatio = round(digestMs / sequentialMs, 2);
  const timeRatioParallel = round(digestMs / parallelMs, 2);
  const numbers = last.value.report.numbers;

  const col = (s: string | number, w: number) => String(s).padStart(w);
  console.log(
    `\nThe digest of ${WEEK.key} at ${NOW.toISOString()} (09:00 Monday in ${community.timezone}), ${MEMBERS.toLocaleString('en')} members, WAU ${numbers.wau.toLocaleString('en')}, DynamoDB Local at ${endpoint}`,
  );
  console.log(`  ${'read'.padEnd(44)}${col('requests', 9)}${col('items', 9)}${col('RCU', 9)}${col('ms (median)', 12)}`);
  const line = (name: string, r: { requests: number; items: number; units: number }, ms: number) =>
    console.log(
      `  ${name.padEnd(44)}${col(r.requests, 9)}${col(r.items, 9)}${col(r.units, 9)}${col(Math.round(ms), 12)}`,
    );
  line('digest, first (7 earlier weeks computed, kept)', first, first.ms);
  line('digest, every week after (weeks kept)', last, digestMs);
  line(`plain Query, ${partitions.length} day partitions, one by one`, sequential[0], sequentialMs);
  line(`plain Query, ${partitions.length} day partitions, all at once`, parallel[0], parallelMs);
  line('plain read of the aggregates it needs', aggregate, aggregate.ms);
  const findings = [
    `items read ${last.items.toLocaleString('en')} for ${needed.toLocaleString('en')} needed (${partitionRows.toLocaleString('en')} day rows in ${partitions.length} partitions + ${aggregate.value} aggregate rows): ×${readRatio} (target ≤ ×${READ_TARGET})`,
    `read units ${last.units} against ${round(sequential[0].units + aggregate.units, 1)} for the plain reads: ×${unitRatio}`,
    `time ${digestMs} ms against ${sequentialMs} ms for the plain Query one partition after another: ×${timeRatio} (target ≤ ×${TIME_TARGET}); against ${parallelMs} ms all at once: ×${timeRatioParallel}`,
    `Scans: ${last.scans + first.scans}; writes by the steady digest: ${last.writes} (the first kept its 7 weeks: ${first.writes})`,
  ];
  for (const f of findings) console.log(`  ${f}`);
  if (readRatio > READ_TARGET || timeRatio > TIME_TARGET || last.scans + first.scans > 0) {
    console.error('bench:digest: a target was missed');
    exitCode = 1;
  }
  const file = await writeResults('digest.json', {
    benchmark: 'digest',
    at: new Date().toISOString(),
    host: host(),
    source: sourceState(),
    engine: { endpoint },
    instant: NOW.toISOString(),
    week: WEEK.key,
    community: {
      members: MEMBERS,
      weeklyActive: WEEKLY_ACTIVE,
      historyDays: HISTORY_DAYS,
      joinsPerDay: JOINS_PER_DAY,
      core: CORE,
      wau: numbers.wau,
      avgDau: round(numbers.avgDau, 0),
    },
    seeding: { items: written, dayRows, seconds: seedSeconds },
    first: { ...first, value: undefined },
    steady: steady.map((r) => ({ ...r, value: undefined })),
    plain: {
      partitions: partitions.length,
      rows: partitionRows,
      sequential: sequential.map((r) => ({ ...r })),
      parallel: parallel.map((r) => ({ ...r })),
      aggregates: { ...aggregate },
    },
    ratios: { reads: readRatio, units: unitRatio, time: timeRatio, timeAgainstParallel: timeRatioParallel },
    targets: { reads: READ_TARGET, time: TIME_TARGET },
    email: { subjectLength: last.value.email.subject.length, htmlBytes: last.value.email.html.length },
    findings,
    durationSeconds: round((performance.now() - began) / 1000, 1),
  });
  console.log(`  total ${round((performance.now() - began) / 1000, 1)}s; written to ${file.slice(ROOT.length)}`);
} catch (error) {
  console.error('bench:digest failed:', error);
  exitCode = 1;
} finally {
  db.doc.destroy();
  loader.doc.destroy();
  await admin.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
  admin.destroy();
}
process.exit(exitCode);
