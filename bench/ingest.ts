/**
 * `npm run bench:ingest`: how fast the local stack ingests webhooks compared to
 * the raw write rate of its embedded engine, on this machine, in one run.
 *
 * a. Raw engine: dynalite on disk (in a worker thread, as the stack runs it),
 *    32 concurrent PutItem of member-day-sized items with distinct keys.
 * b. HTTP ingest: the local stack in a child process (so the load generator
 *    does not share its event loop), 32 keep-alive clients POSTing signed
 *    `message.posted` events to /webhooks/generic/demo as fast as it answers;
 *    then the same requests at a fixed rate (half of that) for latency below
 *    saturation, as context: with 32 clients back to back, latency is
 *    32 / throughput by Little's law; and one client at a time (concurrency 1:
 *    the latency of one webhook alone).
 * c. A report with PASS/MISS per target, also written to bench/results/ingest.json.
 *
 * Exits non-zero only when a request failed. Environment:
 * Both phases warm up first (JIT: the SDK's code paths take a few seconds of
 * load to be optimised). Warm-up messages come from other members than the
 * measured ones, so the measured window still holds each measured member's
 * first message of the day, with its member write, as a live day does.
 *
 *   BENCH_WARMUP_MS (5000), BENCH_MEASURE_MS (8000), BENCH_CONCURRENCY (32), BENCH_PACED_MS (4000),
 *   BENCH_STACK_CPU_PROF=<dir>  run the stack child with --cpu-prof into <dir>.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { ensureTable, startDynalite } from '../infra/local/dynamo';
import { SIGNATURE_HEADER, signGeneric } from '../shared/platforms/generic/inbound';
import { createDb } from '../shared/store/db';
import {
  closedLoop,
  envInt,
  groupCpuMs,
  host,
  type LoadResult,
  latencySummary,
  machineCpuMs,
  openLoop,
  type PacedResult,
  percentile,
  post,
  ROOT,
  round,
  selfCpuMs,
  sourceState,
  writeResults,
} from './lib';
import { StackChild } from './stack';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const CONCURRENCY = envInt('BENCH_CONCURRENCY', 32);
const WARMUP_MS = envInt('BENCH_WARMUP_MS', 5_000);
const MEASURE_MS = envInt('BENCH_MEASURE_MS', 8_000);
const MEMBERS = 500;
const REQUEST_TIMEOUT_MS = 10_000;
const PACED_SHARE = 0.5;
const PACED_MS = envInt('BENCH_PACED_MS', 4_000);
const TARGET_RATIO = 0.5;
const TARGET_P99_MS = 50;

const DEMO_CONFIG = join(ROOT, 'examples', 'community.json');
const demo = JSON.parse(await readFile(DEMO_CONFIG, 'utf8')) as { id: string; webhookSecret: string };
const SECRET = 'whsec_demo_local_only';
if (demo.webhookSecret !== SECRET) throw new Error(`examples/community.json no longer has the demo secret ${SECRET}`);

const load = { concurrency: CONCURRENCY, warmupMs: WARMUP_MS, measureMs: MEASURE_MS };
const tmpDirs: string[] = [];
let stackChild: StackChild | undefined;

/** a. PutItem against dynalite on disk, through the project's own client. */
async function rawEngine(cpu: CpuMeter): Promise<LoadResult> {
  const dir = await mkdtemp(join(tmpdir(), 'hearth-bench-raw-'));
  tmpDirs.push(dir);
  const dynamo = await startDynalite({ path: join(dir, 'db') });
  const table = 'bench';
  const db = createDb({ table, endpoint: dynamo.endpoint, region: 'local' });
  try {
    await ensureTable(dynamo.endpoint, table);
    const day = new Date().toISOString().slice(0, 10);
    return await closedLoop({ ...load, onWindow: cpu.edge }, async (worker, seq) => {
      const memberId = `w${worker}-${seq}`;
      // The shape and size of a member-day row after a few events (see shared/store/ingest.ts).
      await db.doc.send(
        new PutCommand({
          TableName: table,
          Item: {
            pk: `C#${demo.id}#D#${day}`,
            sk: `M#${memberId}`,
            messages: 3,
            replies: 1,
            reactions: 0,
            joins: 0,
            leaves: 0,
            ids: new Set([
              `bench-${RUN_ID}-${worker}-${seq}-a`,
              `bench-${RUN_ID}-${worker}-${seq}-b`,
              `bench-${RUN_ID}-${worker}-${seq}-c`,
            ]),
            memberId,
            day,
            expiresAt: Math.floor(Date.now() / 1000) + 400 * 86_400,
          },
        }),
      );
      return undefined;
    });
  } finally {
    db.doc.destroy();
    await dynamo.close();
  }
}

const WEBHOOK_PATH = `/webhooks/generic/${demo.id}`;
const RUN_ID = randomUUID().slice(0, 8);
let eventSeq = 0;
/** True from the end of the ingest warm-up on. */
let measuring = false;

/** POST one signed `message.posted` event; resolves to an error description, or undefined on 200. */
function postEvent(agent: Agent, port: number): Promise<string | undefined> {
  const n = eventSeq++;
  const member = n % MEMBERS;
  // Warm-up members are others than the measured ones (see the header).
  const pool = measuring ? 'm' : 'w';
  const now = new Date();
  const event: Record<string, unknown> = {
    id: `bench-${RUN_ID}-${n}`,
    type: 'message.posted',
    occurredAt: now.toISOString(),
    member: { id: `${pool}${member}`, name: `Member ${pool}${member}` },
    channelId: `c${member % 8}`,
  };
  // Every fourth message is a reply, as in a lively channel.
  if (n % 4 === 3) event.replyTo = `${pool}${(member + 1) % MEMBERS}`;
  const body = JSON.stringify(event);
  const headers = { 'content-type': 'application/json', [SIGNATURE_HEADER]: signGeneric(SECRET, body, now) };
  return post(agent, port, { path: WEBHOOK_PATH, headers, body }, REQUEST_TIMEOUT_MS);
}

/** b. Signed events through the real webhook endpoint, `concurrency` clients back to back (32: saturation). */
async function httpIngest(port: number, cpu: CpuMeter, concurrency = CONCURRENCY): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  try {
    const onWindow = (edge: 'open' | 'close') => {
      if (edge === 'open') measuring = true;
      cpu.edge(edge);
    };
    return await closedLoop({ ...load, concurrency, onWindow }, () => postEvent(agent, port));
  } finally {
    agent.destroy();
  }
}

/** The same requests at a fixed rate: latency when the stack is not saturated (see `openLoop`). */
async function pacedIngest(port: number, rate: number, durationMs: number): Promise<PacedResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  try {
    return await openLoop(rate, durationMs, () => postEvent(agent, port));
  } finally {
    agent.destroy();
  }
}

/**
 * CPU use in a measurement window, in cores (1.0 = one core busy): this process, a process group, and
 * the whole machine (busy incl. steal, and I/O wait), so that a run disturbed by other work shows.
 */
interface CpuUse {
  bench: number;
  group?: number;
  machine?: number;
  machineIowait?: number;
  machineSteal?: number;
}

type MachineCpu = Awaited<ReturnType<typeof machineCpuMs>>;

class CpuMeter {
  private opened?: { at: number; self: number; group: Promise<number | undefined>; machine: Promise<MachineCpu> };
  private closing?: Promise<CpuUse>;

  constructor(private readonly pgid?: number) {}

  readonly edge = (edge: 'open' | 'close'): void => {
    const group = this.pgid ? groupCpuMs(this.pgid) : Promise.resolve(undefined);
    const machine = machineCpuMs();
    if (edge === 'open') {
      this.opened = { at: performance.now(), self: selfCpuMs(), group, machine };
      return;
    }
    const opened = this.opened;
    if (!opened) return;
    const wall = performance.now() - opened.at;
    const bench = round((selfCpuMs() - opened.self) / wall, 2);
    const cores = (a: number | undefined, b: number | undefined) =>
      a !== undefined && b !== undefined ? round((b - a) / wall, 2) : undefined;
    this.closing = Promise.all([opened.group, group, opened.machine, machine]).then(([g0, g1, m0, m1]) => ({
      bench,
      group: cores(g0, g1),
      machine: cores(m0?.busy, m1?.busy),
      machineIowait: cores(m0?.iowait, m1?.iowait),
      machineSteal: cores(m0?.steal, m1?.steal),
    }));
  };

  async use(): Promise<CpuUse | undefined> {
    return this.closing;
  }
}

async function stopStackChild(): Promise<void> {
  const stack = stackChild;
  stackChild = undefined;
  await stack?.stop();
}

async function cleanup(): Promise<void> {
  await stopStackChild();
  await Promise.all(tmpDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void cleanup().finally(() => process.exit(130));
  });
}

const began = performance.now();
let exitCode = 0;
try {
  console.log(
    `bench:ingest: ${CONCURRENCY} workers, ${WARMUP_MS} ms warm-up + ${MEASURE_MS} ms measured per phase (${host().cpus} cpus, node ${process.version})`,
  );
  console.log('a. raw engine: PutItem against dynalite on disk …');
  const rawMeter = new CpuMeter();
  const raw = await rawEngine(rawMeter);
  const rawCpu = await rawMeter.use();
  console.log(`   ${round(raw.opsPerSecond)} ops/s (${raw.ops} in ${raw.seconds} s, ${raw.errors} errors)`);

  console.log('b. HTTP ingest: starting the local stack in a child process …');
  const t0 = performance.now();
  const stack = await StackChild.start({ cpuProfDir: process.env.BENCH_STACK_CPU_PROF });
  stackChild = stack;
  const startupMs = performance.now() - t0;
  console.log(`   stack up on port ${stack.port} in ${Math.round(startupMs)} ms; ${CONCURRENCY} clients posting …`);
  const ingestMeter = new CpuMeter(stack.pgid);
  const ingest = await httpIngest(stack.port, ingestMeter);
  const ingestCpu = await ingestMeter.use();
  console.log(
    `   ${round(ingest.opsPerSecond)} events/s (${ingest.ops} in ${ingest.seconds} s, ${ingest.errors} errors)`,
  );
  console.log('   then one client at a time, each request after the last answer …');
  const serialMeter = new CpuMeter(stack.pgid);
  const serial = await httpIngest(stack.port, serialMeter, 1);
  console.log(
    `   ${round(serial.opsPerSecond)} events/s (${serial.ops} in ${serial.seconds} s, ${serial.errors} errors)`,
  );
  const pacedRate = Math.max(10, Math.round((ingest.opsPerSecond * PACED_SHARE) / 10) * 10);
  console.log(`   then at a fixed ${pacedRate} events/s (${PACED_SHARE * 100}% of that) for ${PACED_MS} ms …`);
  const paced = await pacedIngest(stack.port, pacedRate, PACED_MS);
  await stopStackChild();
  if (ingest.errors + serial.errors + paced.errors > 0)
    console.error(`   stack output (tail):\n${stack.logs().slice(-3_000)}`);

  const ratio = ingest.opsPerSecond / raw.opsPerSecond;
  const latency = latencySummary(ingest.latenciesMs);
  const pacedLatency = latencySummary(paced.latenciesMs);
  const serialLatency = latencySummary(serial.latenciesMs);
  const errors = raw.errors + ingest.errors + serial.errors + paced.errors;
  const targets = {
    ratio: { target: `>= ${TARGET_RATIO}`, value: round(ratio, 3), pass: ratio >= TARGET_RATIO },
    p99Ms: { target: `< ${TARGET_P99_MS}`, value: latency.p99, pass: latency.p99 < TARGET_P99_MS },
    errors: { target: '0', value: errors, pass: errors === 0 },
  };
  const report = {
    benchmark: 'ingest',
    at: new Date().toISOString(),
    host: host(),
    source: sourceState(),
    config: { concurrency: CONCURRENCY, warmupMs: WARMUP_MS, measureMs: MEASURE_MS, members: MEMBERS },
    raw: {
      engine: 'dynalite on disk (worker thread), PutItem via createDb().doc',
      opsPerSecond: round(raw.opsPerSecond),
      ops: raw.ops,
      p50Ms: round(percentile(raw.latenciesMs, 50), 2),
      p99Ms: round(percentile(raw.latenciesMs, 99), 2),
      errors: raw.errors,
      cpuCores: {
        benchProcessInclEngine: rawCpu?.bench,
        machine: rawCpu?.machine,
        machineIowait: rawCpu?.machineIowait,
        machineSteal: rawCpu?.machineSteal,
      },
    },
    ingest: {
      path: `POST /webhooks/generic/${demo.id} (message.posted, signed), stack in a child process`,
      stackStartupMs: Math.round(startupMs),
      eventsPerSecond: round(ingest.opsPerSecond),
      events: ingest.ops,
      latencyMs: latency,
      errors: ingest.errors,
      errorSamples: ingest.errorSamples,
      cpuCores: {
        stackInclEngine: ingestCpu?.group,
        loadGenerator: ingestCpu?.bench,
        machine: ingestCpu?.machine,
        machineIowait: ingestCpu?.machineIowait,
        machineSteal: ingestCpu?.machineSteal,
      },
    },
    serial: {
      what: 'same requests from one client, each sent when the last was answered (concurrency 1)',
      eventsPerSecond: round(serial.opsPerSecond),
      events: serial.ops,
      latencyMs: serialLatency,
      errors: serial.errors,
    },
    paced: {
      what: 'same requests at a fixed rate, open loop; latency from the scheduled send time',
      eventsPerSecond: pacedRate,
      seconds: PACED_MS / 1000,
      sent: paced.sent,
      latencyMs: pacedLatency,
      errors: paced.errors,
      errorSamples: paced.errorSamples,
    },
    ratio: round(ratio, 3),
    targets,
    durationSeconds: round((performance.now() - began) / 1000, 1),
  };

  const mark = (pass: boolean) => (pass ? 'PASS' : 'MISS');
  console.log('');
  console.log('Hearth ingest benchmark');
  console.log(`  raw PutItem (dynalite, disk)   ${report.raw.opsPerSecond} ops/s`);
  console.log(`  webhook ingest (HTTP)          ${report.ingest.eventsPerSecond} events/s`);
  console.log(
    `  ratio ingest/raw               ${report.ratio}   ${mark(targets.ratio.pass)} (target >= ${TARGET_RATIO})`,
  );
  console.log(
    `  latency p50/p95/p99 (max) ms   ${latency.p50} / ${latency.p95} / ${latency.p99} (${latency.max})   ${mark(targets.p99Ms.pass)} (target p99 < ${TARGET_P99_MS})`,
  );
  console.log(
    `  one client (concurrency 1)     ${report.serial.eventsPerSecond} events/s, p50/p99 ms ${serialLatency.p50} / ${serialLatency.p99}`,
  );
  console.log(
    `  at ${pacedRate} events/s (paced)     p50/p95/p99 (max) ms ${pacedLatency.p50} / ${pacedLatency.p95} / ${pacedLatency.p99} (${pacedLatency.max})   (context: latency below saturation)`,
  );
  console.log(
    `  CPU in window, cores of ${report.host.cpus}    raw: bench+engine ${rawCpu?.bench ?? '?'}; ingest: stack+engine ${ingestCpu?.group ?? '?'}, load generator ${ingestCpu?.bench ?? '?'}`,
  );
  const others = (use: CpuUse | undefined, ours: number | undefined) =>
    use?.machine !== undefined && ours !== undefined ? round(Math.max(0, use.machine - ours), 2) : '?';
  console.log(
    `  machine, same windows           raw: other processes ${others(rawCpu, rawCpu?.bench)}, iowait ${rawCpu?.machineIowait ?? '?'}, steal ${rawCpu?.machineSteal ?? '?'}; ingest: other processes ${others(ingestCpu, (ingestCpu?.group ?? 0) + (ingestCpu?.bench ?? 0))}, iowait ${ingestCpu?.machineIowait ?? '?'}, steal ${ingestCpu?.machineSteal ?? '?'}`,
  );
  console.log(`  errors                         ${errors}   ${errors === 0 ? 'PASS' : 'FAIL'}`);
  for (const sample of [...raw.errorSamples, ...ingest.errorSamples, ...serial.errorSamples, ...paced.errorSamples])
    console.log(`    ${sample}`);
  const file = await writeResults('ingest.json', report);
  console.log(`  written to ${file.slice(ROOT.length)} (${report.durationSeconds} s)`);
  if (errors > 0) exitCode = 1;
} catch (error) {
  console.error('bench:ingest failed:', error);
  exitCode = 2;
} finally {
  await cleanup();
}
process.exit(exitCode);
