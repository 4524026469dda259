/**
 * `npm run bench:fanout`: one hour of sweeps for a deployment of many
 * communities (BENCH_FANOUT_COMMUNITIES, 10,000), fanned out one community per
 * queued message as the stack runs them, on DynamoDB Local.
 *
 * Every community is in Asia/Shanghai and the hour is its first (16:00 UTC,
 * local midnight), with greetings at hour 0: the worst hour, when every
 * community's daily sweeps (win-back, drip, holidays, referrals, tiers) start a
 * new day at once and every greeting sweep has work. Each community holds the
 * marks a running deployment leaves (each daily job through yesterday, each
 * greeting job through the hour's start), its config and directory entry, and
 * BENCH_FANOUT_MEMBERS (6) members: one with a birthday today, one joined a
 * year ago today, one quiet for 7 days, one who joined yesterday, the rest
 * plain. Then, minute by minute as the schedules fire, each hourly sweep job
 * is started as its schedule starts it (`{ job }`, the fan-out), and the
 * local queue feeds the per-community messages to the same handler in
 * batches of the topology's size, as many at once as its `maxConcurrency`.
 *
 * Every DynamoDB call is metered (ReturnConsumedCapacity: INDEXES) and its
 * units are put on the partition it touched: the table's partition key of a
 * Get, Put or Update, or the index and partition a Query read, and for a
 * write each index partition the item lands in (from the Put's item or the
 * Update's SET). Per second of the run it reports the busiest partitions'
 * read and write units beside DynamoDB's per-partition limits (3,000 RCU,
 * 1,000 WCU a second), the hour's wall time, and the community-jobs a second.
 * Writes bench/results/fanout.json. Needs DYNAMODB_ENDPOINT (`npm run
 * bench:fanout` starts DynamoDB Local through scripts/ddb-local.sh).
 */
import { randomUUID } from 'node:crypto';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { ensureTable } from '../infra/local/dynamo';
import { asLocalFunction, type LocalFunctions } from '../infra/local/functions';
import { LocalQueue } from '../infra/local/queue';
import { queueDefinition, SCHEDULES } from '../infra/topology';
import { parseCommunityConfig } from '../shared/domain/config';
import { addDays } from '../shared/domain/time';
import { createDb } from '../shared/store/db';
import { communityDirectoryKey, communityKey, sweepMarkKey } from '../shared/store/keys';
import { INDEXES } from '../shared/store/table';
import { createSweepsHandler } from '../shared/workflows/sweeps-handler';
import {
  dynamoLocalEndpoint,
  envInt,
  host,
  localAdmin,
  type MeteredCall,
  meterCapacity,
  READ_COMMANDS,
  round,
  seed,
  sourceState,
  storedMember,
  writeResults,
} from './lib';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const endpoint = dynamoLocalEndpoint('bench:fanout', '`npm run bench:fanout` starts DynamoDB Local and runs this.');
const COMMUNITIES = envInt('BENCH_FANOUT_COMMUNITIES', 10_000);
const MEMBERS = Math.max(4, envInt('BENCH_FANOUT_MEMBERS', 6));
const LIMITS = { read: 3_000, write: 1_000 } as const;
/** 16:00 UTC: midnight in Shanghai, the first hour of the communities' new day. */
const HOUR = Date.parse('2026-11-25T16:00:00.000Z');
const TODAY = '2026-11-26';
const YESTERDAY = addDays(TODAY, -1);
/** The jobs whose mark is an instant (the greeting sweeps' window); every other sweep's mark is a day. */
const INSTANT_MARKED = new Set(['birthdays', 'anniversaries']);

const SWEEP_SCHEDULES = SCHEDULES.filter((s) => s.target === 'sweeps').sort(
  (a, b) => Number(a.cron.minute) - Number(b.cron.minute),
);

/** The partitions a call touched and the units on each. */
function partitionsOf(call: MeteredCall): Array<{ partition: string; units: number; read: boolean }> {
  const { command, input, output } = call;
  // A write whose condition failed reports nothing, but is billed on the table: a write unit for these items.
  if (call.conditionFailed) {
    const key = (input.Key ?? input.Item) as { pk?: string } | undefined;
    return key?.pk ? [{ partition: key.pk, units: 1, read: false }] : [];
  }
  if (!output) return [];
  const read = READ_COMMANDS.has(command);
  const reported = output.ConsumedCapacity as
    | {
        CapacityUnits?: number;
        Table?: { CapacityUnits?: number };
        GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
      }
    | Array<{ CapacityUnits?: number }>
    | undefined;
  if (!reported) return [];
  if (command === 'Query') {
    const values = input.ExpressionAttributeValues as Record<string, unknown>;
    const first = /=\s*(:\w+)/.exec(String(input.KeyConditionExpression))?.[1] ?? ':pk';
    const where = input.IndexName ? `${input.IndexName}:` : '';
    const units = Array.isArray(reported) ? 0 : (reported.CapacityUnits ?? 0);
    return [{ partition: `${where}${String(values[first])}`, units, read }];
  }
  if (command.startsWith('Batch')) {
    const requests = input.RequestItems as Record<
      string,
      Array<{ pk?: string; PutRequest?: { Item: { pk: string } } }> | { Keys: Array<{ pk: string }> }
    >;
    const keys = Object.values(requests).flatMap((r) =>
      Array.isArray(r) ? r.map((w) => w.PutRequest?.Item.pk ?? '') : r.Keys.map((k) => k.pk),
    );
    const total = (Array.isArray(reported) ? reported : [reported]).reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
    return keys.map((pk) => ({ partition: pk, units: total / keys.length, read }));
  }
  if (Array.isArray(reported)) return [];
  const key = (input.Key ?? input.Item) as { pk: string };
  const touched = [{ partition: key.pk, units: reported.Table?.CapacityUnits ?? reported.CapacityUnits ?? 0, read }];
  for (const [index, { CapacityUnits = 0 }] of Object.entries(reported.GlobalSecondaryIndexes ?? {})) {
    const attribute = Object.values(INDEXES).find((i) => i.name === index)?.partitionKey as string;
    touched.push({ partition: `${index}:${indexPartition(input, attribute)}`, units: CapacityUnits, read });
  }
  return touched;
}

/** The index partition a write puts its item in: the Put's attribute, or the value an Update SETs it to. */
function indexPartition(input: Record<string, unknown>, attribute: string): string {
  const item = input.Item as Record<string, unknown> | undefined;
  if (item) return String(item[attribute] ?? '(removed)');
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const values = (input.ExpressionAttributeValues ?? {}) as Record<string, unknown>;
  const name = Object.entries(names).find(([, value]) => value === attribute)?.[0];
  const set = name && new RegExp(`${name}\\s*=\\s*(:\\w+)`).exec(String(input.UpdateExpression));
  return set ? String(values[set[1]]) : '(an update that leaves or removes it)';
}

const configOf = (id: string) =>
  parseCommunityConfig({
    id,
    name: `Community ${id}`,
    timezone: 'Asia/Shanghai',
    operators: ['ops@example.com'],
    webhookSecret: 'whsec_bench_only',
    platform: { kind: 'generic' },
    birthdays: { hour: 0 },
    anniversaries: { hour: 0 },
  });

/** One community's items: config, directory entry, marks and members. */
function communityItems(index: number): Record<string, unknown>[] {
  const id = `c${String(index).padStart(5, '0')}`;
  const items: Record<string, unknown>[] = [
    { ...communityKey(id), config: configOf(id), updatedAt: '2026-01-01T00:00:00.000Z' },
    { ...communityDirectoryKey(id) },
    ...SWEEP_SCHEDULES.map((s) => ({
      ...sweepMarkKey(s.job, id),
      through: INSTANT_MARKED.has(s.job) ? new Date(HOUR).toISOString() : YESTERDAY,
    })),
    storedMember(id, 'birthday', '2025-03-02', { birthday: TODAY.slice(5), lastActiveDay: '2026-11-20' }),
    storedMember(id, 'anniversary', `2025-${TODAY.slice(5)}`, { lastActiveDay: '2026-11-24' }),
    storedMember(id, 'quiet', '2025-06-01', { lastActiveDay: addDays(TODAY, -7) }),
    storedMember(id, 'newcomer', YESTERDAY),
  ];
  for (let m = 4; m < MEMBERS; m++)
    items.push(storedMember(id, `m${m}`, '2025-08-01', { lastActiveDay: '2026-11-25' }));
  return items;
}

const admin = localAdmin(endpoint);
const table = `fanout-${randomUUID().slice(0, 8)}`;
const began = performance.now();
await ensureTable(endpoint, table);
try {
  const db = createDb({ table, endpoint });
  console.log(`bench:fanout: ${COMMUNITIES.toLocaleString('en')} communities of ${MEMBERS} members, on ${endpoint}`);
  const seeded = performance.now();
  const items = Array.from({ length: COMMUNITIES }, (_, i) => communityItems(i)).flat();
  await seed(db, items, envInt('BENCH_SEED_PARALLEL', 8));
  const seedSeconds = (performance.now() - seeded) / 1000;
  console.log(`  seeded ${items.length.toLocaleString('en')} items in ${round(seedSeconds)} s`);

  // The busiest second of each partition, reads and writes apart.
  const perSecond = new Map<string, number>();
  const totals = { read: 0, write: 0, calls: 0 };
  let runStarted = 0;
  meterCapacity(db, 'INDEXES', (call) => {
    totals.calls++;
    const second = Math.floor((performance.now() - runStarted) / 1000);
    for (const { partition, units, read } of partitionsOf(call)) {
      totals[read ? 'read' : 'write'] += units;
      const key = `${read ? 'r' : 'w'}\u0000${partition}\u0000${second}`;
      perSecond.set(key, (perSecond.get(key) ?? 0) + units);
    }
  });

  let simulated = HOUR;
  const definition = queueDefinition('sweeps');
  let functions: LocalFunctions | undefined;
  const queue = new LocalQueue(definition, () => functions as LocalFunctions);
  const sweeps = asLocalFunction(
    'sweeps',
    createSweepsHandler({ db, queue }, () => new Date(simulated)),
  );
  functions = { sweeps } as unknown as LocalFunctions;

  runStarted = performance.now();
  const jobs: Array<{ job: string; minute: number; seconds: number; communities: number }> = [];
  for (const minute of [...new Set(SWEEP_SCHEDULES.map((s) => Number(s.cron.minute)))]) {
    simulated = HOUR + minute * 60_000;
    const firing = SWEEP_SCHEDULES.filter((s) => Number(s.cron.minute) === minute);
    const started = performance.now();
    const fanned = (await Promise.all(firing.map((s) => sweeps({ job: s.job })))) as Array<{ fannedOut: number }>;
    await queue.drain();
    const seconds = (performance.now() - started) / 1000;
    for (const [i, s] of firing.entries()) {
      jobs.push({ job: s.job, minute, seconds: round(seconds, 2), communities: fanned[i].fannedOut });
    }
    console.log(
      `  :${String(minute).padStart(2, '0')} ${firing.map((s) => s.job).join(' + ')}: ${fanned.reduce((n, f) => n + f.fannedOut, 0).toLocaleString('en')} community-jobs in ${round(seconds, 1)} s`,
    );
  }
  const hourSeconds = (performance.now() - runStarted) / 1000;
  if (queue.dead.length) throw new Error(`${queue.dead.length} community-jobs failed (see the log)`);

  // The busiest second of each partition.
  const peaks = new Map<string, { partition: string; kind: 'read' | 'write'; units: number; second: number }>();
  for (const [key, units] of perSecond) {
    const [kind, partition, second] = key.split('\u0000');
    const id = `${kind}\u0000${partition}`;
    if ((peaks.get(id)?.units ?? -1) < units) {
      peaks.set(id, { partition, kind: kind === 'r' ? 'read' : 'write', units, second: Number(second) });
    }
  }
  const busiest = (kind: 'read' | 'write') =>
    [...peaks.values()]
      .filter((p) => p.kind === kind)
      .sort((a, b) => b.units - a.units)
      .slice(0, 6)
      .map((p) => ({ partition: p.partition, unitsInBusiestSecond: round(p.units, 1), second: p.second }));
  const reads = busiest('read');
  const writes = busiest('write');
  const communityJobs = jobs.reduce((n, j) => n + j.communities, 0);
  const report = {
    benchmark: 'fanout',
    at: new Date().toISOString(),
    host: host(),
    source: sourceState(),
    method: `DynamoDB Local; ${COMMUNITIES} communities × ${MEMBERS} members, every community's first local hour; each hourly sweep job fanned out as the stack does it (one queued message per community, batches of ${definition.batchSize}, ${definition.maxConcurrency} at once); units per partition per second from ReturnConsumedCapacity INDEXES`,
    communities: COMMUNITIES,
    membersPerCommunity: MEMBERS,
    queue: { batchSize: definition.batchSize, maxConcurrency: definition.maxConcurrency },
    seedSeconds: round(seedSeconds),
    hourSeconds: round(hourSeconds, 1),
    withinTheHour: hourSeconds < 3_600,
    communityJobs,
    communityJobsPerSecond: round(communityJobs / hourSeconds, 1),
    calls: totals.calls,
    callsPerCommunityJob: round(totals.calls / communityJobs, 2),
    units: { read: round(totals.read), write: round(totals.write) },
    jobs,
    busiestReads: reads,
    busiestWrites: writes,
    limits: { readPerPartitionPerSecond: LIMITS.read, writePerPartitionPerSecond: LIMITS.write },
    withinPartitionLimits:
      (reads[0]?.unitsInBusiestSecond ?? 0) <= LIMITS.read && (writes[0]?.unitsInBusiestSecond ?? 0) <= LIMITS.write,
    durationSeconds: round((performance.now() - began) / 1000, 1),
  };
  console.log(
    `  the hour's sweeps: ${communityJobs.toLocaleString('en')} community-jobs in ${report.hourSeconds} s (${report.communityJobsPerSecond} a second, ${report.callsPerCommunityJob} calls each)`,
  );
  console.log(`  busiest partitions in one second (limits ${LIMITS.read} RCU, ${LIMITS.write} WCU):`);
  for (const p of reads.slice(0, 3))
    console.log(`    read  ${String(p.unitsInBusiestSecond).padStart(7)}  ${p.partition}`);
  for (const p of writes.slice(0, 3))
    console.log(`    write ${String(p.unitsInBusiestSecond).padStart(7)}  ${p.partition}`);
  const file = await writeResults('fanout.json', report);
  console.log(`  written to ${file} (${report.durationSeconds} s)`);
  if (!report.withinTheHour || !report.withinPartitionLimits) process.exitCode = 1;
} finally {
  await admin.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
}
