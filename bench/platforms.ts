/**
 * `npm run bench:platforms`: webhook latency per chat platform on the local
 * stack. One community per platform; each platform's requests are built as the
 * platform sends them (signed, and encrypted where it encrypts: WeCom, Feishu)
 * and POSTed at a fixed rate, well below saturation, so the figure is what one
 * request costs through verify, decrypt, parse, dedupe, apply and publish.
 * Messages on every platform; on Discord, which sends Hearth only interactions,
 * the `/help` slash command (which also queues its reply).
 *
 *   BENCH_RATE (100 requests/s), BENCH_WARMUP_MS (2000), BENCH_MEASURE_MS (5000)
 *
 * Writes bench/results/platforms.json; exits 1 when a request failed.
 */
import { Agent } from 'node:http';
import { parseCommunityConfig } from '../shared/domain/config';
import { putCommunity } from '../shared/store/communities';
import { createDb } from '../shared/store/db';
import { PLATFORM_CONFIGS, type PlatformKind, postedMessage } from '../tests/support/platform-requests';
import { envInt, host, latencySummary, openLoop, post, ROOT, round, sourceState, writeResults } from './lib';
import { StackChild } from './stack';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const RATE = envInt('BENCH_RATE', 100);
const WARMUP_MS = envInt('BENCH_WARMUP_MS', 2_000);
const MEASURE_MS = envInt('BENCH_MEASURE_MS', 5_000);
const MEMBERS = 200;
const TARGET_P99_MS = 50;

const KINDS = Object.keys(PLATFORM_CONFIGS) as PlatformKind[];
const communityOf = (kind: PlatformKind) =>
  parseCommunityConfig({
    id: `bench-${kind}`,
    name: `Bench ${kind}`,
    timezone: 'Asia/Shanghai',
    webhookSecret: 'whsec_bench_local_only',
    platform: PLATFORM_CONFIGS[kind],
  });

/** A member id as the platform spells it. */
const memberOf = (kind: PlatformKind, n: number): string =>
  kind === 'discord'
    ? String(1_500_000_000_000_000_000n + BigInt(n))
    : kind === 'telegram'
      ? String(7_000_000_000 + n)
      : kind === 'feishu'
        ? `ou_${n}`
        : kind === 'slack'
          ? `U0M${n}`
          : `m${n}`;

let seq = 0;
async function measure(stack: StackChild, kind: PlatformKind, durationMs: number) {
  const community = communityOf(kind);
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  try {
    return await openLoop(RATE, durationMs, () => {
      const n = ++seq;
      const text = kind === 'discord' ? '/help' : `hello ${n}`;
      const message = {
        seq: n,
        memberId: memberOf(kind, n % MEMBERS),
        name: `Member ${n % MEMBERS}`,
        text,
        at: new Date(),
      };
      return post(agent, stack.port, postedMessage(community, message));
    });
  } finally {
    agent.destroy();
  }
}

const began = performance.now();
let stack: StackChild | undefined;
let exitCode = 0;
try {
  console.log(`bench:platforms: ${RATE} requests/s, ${WARMUP_MS} ms warm-up + ${MEASURE_MS} ms measured per platform`);
  stack = await StackChild.start();
  const db = createDb({ table: stack.info.table, endpoint: stack.info.endpoint, region: 'local' });
  for (const kind of KINDS) await putCommunity(db, communityOf(kind), new Date());
  db.doc.destroy();
  const results: Record<string, unknown> = {};
  let failures = 0;
  for (const kind of KINDS) {
    await measure(stack, kind, WARMUP_MS);
    const run = await measure(stack, kind, MEASURE_MS);
    failures += run.errors;
    const latencyMs = latencySummary(run.latenciesMs);
    results[kind] = {
      request:
        kind === 'discord' ? 'APPLICATION_COMMAND /help (Ed25519)' : 'message (signed; encrypted on wecom, feishu)',
      sent: run.sent,
      latencyMs,
      errors: run.errors,
      errorSamples: run.errorSamples,
      p99Target: { target: `< ${TARGET_P99_MS}`, pass: latencyMs.p99 < TARGET_P99_MS },
    };
    const mark = latencyMs.p99 < TARGET_P99_MS ? 'PASS' : 'MISS';
    console.log(
      `  ${kind.padEnd(9)} p50 ${String(latencyMs.p50).padStart(6)} ms  p95 ${String(latencyMs.p95).padStart(6)} ms  p99 ${String(latencyMs.p99).padStart(6)} ms  ${mark}  (${run.sent} sent, ${run.errors} errors)`,
    );
    for (const sample of run.errorSamples) console.log(`    ${sample}`);
  }
  const file = await writeResults('platforms.json', {
    benchmark: 'platforms',
    at: new Date().toISOString(),
    host: host(),
    source: sourceState(),
    config: { rate: RATE, warmupMs: WARMUP_MS, measureMs: MEASURE_MS, members: MEMBERS },
    platforms: results,
    durationSeconds: round((performance.now() - began) / 1000, 1),
  });
  console.log(`  written to ${file.slice(ROOT.length)}`);
  if (failures > 0) {
    console.error(`stack output (tail):\n${stack.logs().slice(-3_000)}`);
    exitCode = 1;
  }
} catch (error) {
  console.error('bench:platforms failed:', error);
  exitCode = 2;
} finally {
  await stack?.stop();
}
process.exit(exitCode);
