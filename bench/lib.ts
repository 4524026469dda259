/**
 * Small helpers shared by the benchmarks: a closed-loop load runner bounded in
 * time, percentiles, free ports, results files.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { type Agent, request } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, type BatchWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { InitializeHandler, InitializeHandlerArguments, InitializeMiddleware } from '@smithy/types';
import { type Db, isConditionFailed } from '../shared/store/db';
import {
  anniversaryIndexKeys,
  birthdayIndexKeys,
  joinDayIndexKeys,
  lastActiveIndexKeys,
  memberKey,
  presencePk,
} from '../shared/store/keys';

export { random } from '../demo/random';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const RESULTS_DIR = join(ROOT, 'bench', 'results');

/** What a closed-loop run measured inside its measurement window. */
export interface LoadResult {
  /** Operations completed inside the window. */
  ops: number;
  /** Window length in seconds. */
  seconds: number;
  opsPerSecond: number;
  /** Latency in ms of each operation completed inside the window. */
  latenciesMs: number[];
  /** Failed operations over the whole run (warm-up included). */
  errors: number;
  /** The first few failures, for the report. */
  errorSamples: string[];
}

export interface LoadOptions {
  concurrency: number;
  warmupMs: number;
  measureMs: number;
  /** Called when the measurement window opens and when it closes (CPU accounting). */
  onWindow?: (edge: 'open' | 'close') => void;
}

/**
 * Run `op` from `concurrency` workers back to back until warm-up plus
 * measurement have passed; count what completes inside the measurement window.
 * `op` resolves to an error description, or undefined on success.
 */
export async function closedLoop(
  options: LoadOptions,
  op: (worker: number, seq: number) => Promise<string | undefined>,
): Promise<LoadResult> {
  const start = performance.now();
  const windowStart = start + options.warmupMs;
  const windowEnd = windowStart + options.measureMs;
  const latenciesMs: number[] = [];
  const errorSamples: string[] = [];
  let errors = 0;
  let ops = 0;
  const timers = options.onWindow
    ? [
        setTimeout(() => options.onWindow?.('open'), options.warmupMs),
        setTimeout(() => options.onWindow?.('close'), options.warmupMs + options.measureMs),
      ]
    : [];

  const worker = async (id: number) => {
    let seq = 0;
    while (performance.now() < windowEnd) {
      const begin = performance.now();
      let failure: string | undefined;
      try {
        failure = await op(id, seq++);
      } catch (error) {
        failure = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      }
      const end = performance.now();
      if (failure !== undefined) {
        errors++;
        if (errorSamples.length < 5) errorSamples.push(failure);
        continue;
      }
      if (end >= windowStart && end <= windowEnd) {
        ops++;
        latenciesMs.push(end - begin);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, (_, i) => worker(i)));
  for (const timer of timers) clearTimeout(timer);
  const seconds = options.measureMs / 1000;
  return { ops, seconds, opsPerSecond: ops / seconds, latenciesMs, errors, errorSamples };
}

/** What an open-loop run measured. */
export interface PacedResult {
  rate: number;
  sent: number;
  latenciesMs: number[];
  errors: number;
  errorSamples: string[];
}

/**
 * Start `op` at a fixed `rate` per second for `durationMs` (open loop), and
 * wait for the last to finish. Latency counts from the scheduled start, so
 * queueing behind a slow operation is included.
 */
export async function openLoop(
  rate: number,
  durationMs: number,
  op: () => Promise<string | undefined>,
): Promise<PacedResult> {
  const result: PacedResult = { rate, sent: 0, latenciesMs: [], errors: 0, errorSamples: [] };
  const inFlight = new Set<Promise<void>>();
  const interval = 1000 / rate;
  const start = performance.now();
  while (performance.now() - start < durationMs) {
    const due = Math.floor((performance.now() - start) / interval);
    while (result.sent <= due) {
      const scheduled = start + result.sent * interval;
      result.sent++;
      const running: Promise<void> = op().then((failure) => {
        inFlight.delete(running);
        if (failure === undefined) result.latenciesMs.push(performance.now() - scheduled);
        else {
          result.errors++;
          if (result.errorSamples.length < 5) result.errorSamples.push(failure);
        }
      });
      inFlight.add(running);
    }
    await sleep(1);
  }
  await Promise.all(inFlight);
  return result;
}

/** A request to the stack's webhook: path with query, headers, body. */
export interface WebhookPost {
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** POST `req` to the stack on `port`; resolves to an error description, or undefined on 200 (its body to `onOk`). */
export function post(
  agent: Agent,
  port: number,
  req: WebhookPost,
  timeoutMs = 10_000,
  onOk?: (body: string) => void,
): Promise<string | undefined> {
  return new Promise((done) => {
    const r = request(
      {
        agent,
        host: '127.0.0.1',
        port,
        path: req.path,
        method: 'POST',
        headers: { ...req.headers, 'content-length': Buffer.byteLength(req.body) },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          if (res.statusCode === 200) {
            onOk?.(Buffer.concat(chunks).toString('utf8'));
            return done(undefined);
          }
          done(`HTTP ${res.statusCode}: ${Buffer.concat(chunks).toString('utf8').slice(0, 300)}`);
        });
        res.on('error', (error) => done(`response: ${error.message}`));
      },
    );
    r.on('timeout', () => r.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    r.on('error', (error) => done(`request: ${error.message}`));
    r.end(req.body);
  });
}

/** p50, p95, p99 and max of latencies in ms (sorted once), to 2 decimals. */
export function latencySummary(values: number[]) {
  const sorted = values.slice().sort((a, b) => a - b);
  const at = (p: number) =>
    sorted.length
      ? round(sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1], 2)
      : Number.NaN;
  return {
    p50: at(50),
    p95: at(95),
    p99: at(99),
    max: sorted.length ? round(sorted[sorted.length - 1], 2) : Number.NaN,
  };
}

/** Nearest-rank percentile of `values` (0 < p <= 100). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = values.slice().sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export const round = (value: number, digits = 1): number => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

/** The machine the numbers come from. */
export function host() {
  const cpu = cpus();
  return {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: cpu.length,
    cpuModel: cpu[0]?.model ?? 'unknown',
    // An object, not an array: Biome formats short arrays on one line, JSON.stringify does not.
    loadavg: Object.fromEntries(['1m', '5m', '15m'].map((k, i) => [k, round(loadavg()[i], 2)])),
  };
}

/** Write a results file under bench/results/ (pretty JSON, newline-terminated). */
export async function writeResults(name: string, data: unknown): Promise<string> {
  const file = join(RESULTS_DIR, name);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(data, null, 2)}\n`);
  return file;
}

/** A positive integer from the environment, else `fallback`. */
export const envInt = (name: string, fallback: number): number => {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
};

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** CPU time (ms) used so far by every process in process group `pgid` (Linux /proc; undefined elsewhere). */
export async function groupCpuMs(pgid: number): Promise<number | undefined> {
  if (process.platform !== 'linux') return undefined;
  let ticks = 0;
  // After the command name: state ppid pgrp … utime(14th field) stime(15th).
  for (const { stat } of await groupProcesses(pgid)) ticks += Number(stat[11]) + Number(stat[12]);
  return ticks * 10; // USER_HZ is 100 on Linux
}

/** The processes of a process group (Linux): each one's pid and the fields of `/proc/<pid>/stat` after its name. */
export async function groupProcesses(pgid: number): Promise<Array<{ pid: string; stat: string[] }>> {
  const found: Array<{ pid: string; stat: string[] }> = [];
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const text = await readFile(`/proc/${pid}/stat`, 'utf8');
      const stat = text.slice(text.lastIndexOf(')') + 2).split(' ');
      if (Number(stat[2]) === pgid) found.push({ pid, stat });
    } catch {
      // the process ended meanwhile
    }
  }
  return found;
}

/** CPU time (ms) of this process, all threads. */
export function selfCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** The commit the numbers come from, and whether the code under test had uncommitted changes. */
export function sourceState(): { commit?: string; uncommittedChanges?: boolean } {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = git('status', '--porcelain', '--', 'shared', 'infra', 'functions') !== '';
    return { commit: git('rev-parse', '--short', 'HEAD'), uncommittedChanges: dirty };
  } catch {
    return {};
  }
}

/** Machine-wide CPU time (ms, all cores) busy, in I/O wait and stolen so far (Linux /proc/stat; undefined elsewhere). */
export async function machineCpuMs(): Promise<{ busy: number; iowait: number; steal: number } | undefined> {
  if (process.platform !== 'linux') return undefined;
  try {
    const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0];
    const [user, nice, system, , iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    return {
      busy: (user + nice + system + irq + softirq + (steal ?? 0)) * 10,
      iowait: iowait * 10,
      steal: (steal ?? 0) * 10,
    };
  } catch {
    return undefined;
  }
}

/**
 * The DynamoDB Local endpoint (DYNAMODB_ENDPOINT) a capacity benchmark runs
 * against; dynalite reports no capacity. Without one, says how to get one and
 * exits 2.
 */
export function dynamoLocalEndpoint(
  bench: string,
  howToRun = '`npm run bench` starts DynamoDB Local (scripts/ddb-local.sh --capacity-only) and runs this benchmark against it.',
): string {
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  if (endpoint) return endpoint;
  console.error(
    `${bench} needs DYNAMODB_ENDPOINT (a DynamoDB Local endpoint, e.g. http://127.0.0.1:8000).\n${howToRun}`,
  );
  process.exit(2);
}

/** One DynamoDB call as the engine answered it, with the capacity it was asked to report. */
export interface MeteredCall {
  /** The command's name without `Command` (`UpdateItem`, `Query`, `BatchGet`, …). */
  command: string;
  input: Record<string, unknown>;
  /** The output; absent for a conditional write whose condition failed (the API reports no capacity then). */
  output?: Record<string, unknown>;
  conditionFailed?: true;
}

/** Ask for `level` capacity on every call `db` makes, and hand each call to `record`. */
export function meterCapacity(db: Db, level: 'INDEXES' | 'TOTAL', record: (call: MeteredCall) => void): void {
  const meter: InitializeMiddleware<object, object> =
    (next: InitializeHandler<object, object>, context) => async (args: InitializeHandlerArguments<object>) => {
      const input = args.input as Record<string, unknown>;
      input.ReturnConsumedCapacity = level;
      const command = String((context as { commandName?: string }).commandName ?? 'unknown').replace(/Command$/, '');
      try {
        const result = await next(args);
        record({ command, input, output: result.output as Record<string, unknown> });
        return result;
      } catch (error) {
        if (isConditionFailed(error)) record({ command, input, conditionFailed: true });
        throw error;
      }
    };
  db.doc.middlewareStack.add(meter as never, { step: 'initialize', name: 'hearthCapacityMeter' });
}

/** Write `items` with BatchWriteItem, 25 a call and a few calls at a time, until none is left unprocessed. */
export async function seed(db: Db, items: readonly Record<string, unknown>[], parallel = 8): Promise<void> {
  let cursor = 0;
  const worker = async () => {
    while (cursor < items.length) {
      const batch = items.slice(cursor, cursor + 25);
      cursor += 25;
      let request: BatchWriteCommandInput['RequestItems'] = {
        [db.table]: batch.map((Item) => ({ PutRequest: { Item } })),
      };
      for (let attempt = 0; request && Object.keys(request).length > 0; attempt++) {
        if (attempt > 0) await sleep(Math.min(1_000, 25 * 2 ** attempt));
        request = (await db.doc.send(new BatchWriteCommand({ RequestItems: request }))).UnprocessedItems;
      }
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}

/** What one DynamoDB call did, as the engine reported it. */
export interface Call {
  command: string;
  /** Read or write units (ConsumedCapacity TOTAL). */
  units: number;
  /** Items returned: a Query's Count, a BatchGet's Responses, a Get's Item. */
  items: number;
  /** Keys a BatchGet asked for. */
  keys?: number;
  conditionFailed?: true;
}

type Output = {
  ConsumedCapacity?: { CapacityUnits?: number } | Array<{ CapacityUnits?: number }>;
  Count?: number;
  Item?: unknown;
  Responses?: Record<string, unknown[]>;
};

/** What a call reported: its units (TOTAL), the items it returned, the keys a BatchGet asked for. */
export function callOf({ command, input, output, conditionFailed }: MeteredCall): Call {
  if (conditionFailed || !output) return { command, units: 0, items: 0, conditionFailed: true };
  const { ConsumedCapacity: reported, Count, Item, Responses } = output as Output;
  const units = (Array.isArray(reported) ? reported : reported ? [reported] : []).reduce(
    (sum, c) => sum + (c.CapacityUnits ?? 0),
    0,
  );
  const items = Count ?? (Responses ? Object.values(Responses).reduce((n, r) => n + r.length, 0) : Item ? 1 : 0);
  const requested = (input as { RequestItems?: Record<string, { Keys?: unknown[] }> }).RequestItems;
  const keys = command.startsWith('BatchGet')
    ? Object.values(requested ?? {}).reduce((n, r) => n + (r.Keys?.length ?? 0), 0)
    : undefined;
  return { command, units, items, ...(keys !== undefined ? { keys } : {}) };
}

/** The commands that read, as the metered calls name them. */
export const READ_COMMANDS: ReadonlySet<string> = new Set([
  'Query',
  'GetItem',
  'Get',
  'BatchGet',
  'BatchGetItem',
  'Scan',
]);

/** A client for creating and dropping a benchmark's tables on DynamoDB Local. */
export const localAdmin = (endpoint: string): DynamoDBClient =>
  new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });

/**
 * A member as the app stores it after a join at 10:00 Shanghai time on `joinDay`, with the keys of each index
 * it is in (and, when given, its last active day, birthday and time zone).
 */
export function storedMember(
  communityId: string,
  id: string,
  joinDay: string,
  profile: { lastActiveDay?: string; birthday?: string; timezone?: string } = {},
): Record<string, unknown> {
  const { lastActiveDay, birthday, timezone } = profile;
  const joinedAt = `${joinDay}T02:00:00.000Z`;
  return {
    ...memberKey(communityId, id),
    id,
    communityId,
    status: 'member',
    name: `Member ${id}`,
    firstSeenAt: joinedAt,
    joinedAt,
    firstJoinedAt: joinedAt,
    joins: 1,
    presentPk: presencePk(communityId, 'member'),
    ...joinDayIndexKeys(communityId, id, joinDay),
    ...anniversaryIndexKeys(communityId, id, joinDay.slice(5)),
    ...(lastActiveDay ? { lastActiveDay, ...lastActiveIndexKeys(communityId, id, lastActiveDay) } : {}),
    ...(birthday ? { birthday, ...birthdayIndexKeys(communityId, id, birthday) } : {}),
    ...(timezone ? { timezone } : {}),
  };
}
