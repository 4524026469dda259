/**
 * `npm run bench:load`: a bounded load test of the local stack with the demo's
 * generator as the load. BENCH_LOAD_EVENTS (50,000) events of a synthetic
 * community (joins, messages, replies, reactions, commands, profile changes,
 * leaves; BENCH_LOAD_MEMBERS, 6,000) are signed and POSTed to the generic
 * webhook by BENCH_LOAD_CONCURRENCY (64) keep-alive clients, in time order
 * but 64 at a time, against the stack in a child process. Then the same
 * events again: every copy must be a duplicate and change nothing.
 *
 * It checks, and exits 1 unless:
 * - every request was answered 200 (no valid event refused), and every copy
 *   of the second pass was reported a duplicate;
 * - the store's counts equal what was sent: for every member, the messages,
 *   replies, reactions, joins and leaves summed from their day rows equal
 *   those of the events posted for them (the same `activityDelta` the
 *   ingest applies, computed here from the events), and the same after the
 *   second pass.
 *
 * It records p50/p99/max per pass, and the stack's resident memory (the
 * node process of the stack, VmRSS and its peak VmHWM) after start, after
 * the first pass and after the second: a process that keeps what it need not
 * grows on the second pass, which adds no data. Writes bench/results/load.json.
 */

import { readFile } from 'node:fs/promises';
import { Agent } from 'node:http';
import { generateCommunity } from '../demo/community';
import { parseCommunityConfig } from '../shared/domain/config';
import { activityDelta, type InboundEvent } from '../shared/domain/events';
import { SIGNATURE_HEADER, signGeneric } from '../shared/platforms/generic/inbound';
import { putCommunity } from '../shared/store/communities';
import { createDb } from '../shared/store/db';
import { getMemberWithTotals } from '../shared/store/members';
import { envInt, groupProcesses, host, latencySummary, post, round, sourceState, writeResults } from './lib';
import { StackChild } from './stack';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const EVENTS = envInt('BENCH_LOAD_EVENTS', 50_000);
const MEMBERS = envInt('BENCH_LOAD_MEMBERS', 6_000);
const CONCURRENCY = envInt('BENCH_LOAD_CONCURRENCY', 64);
const SEED = envInt('BENCH_LOAD_SEED', 7);

/** The generator's community, grown in weeks until it has EVENTS events; the first EVENTS of them. */
function load() {
  for (let weeks = 8; ; weeks += 4) {
    const community = generateCommunity({ members: MEMBERS, weeks, seed: SEED });
    if (community.events.length >= EVENTS || weeks >= 104) {
      // The generator writes generic webhook bodies, which are canonical events (docs/contract.md).
      const events = community.events.slice(0, EVENTS).map((e) => e.body as unknown as InboundEvent);
      return { community, events, weeks };
    }
  }
}

/** VmRSS and VmHWM (MB) of the stack's node process: the largest in its process group. */
async function stackMemory(pgid: number): Promise<{ rssMb: number; peakMb: number } | undefined> {
  let best: { rssMb: number; peakMb: number } | undefined;
  for (const { pid } of await groupProcesses(pgid)) {
    try {
      const status = await readFile(`/proc/${pid}/status`, 'utf8');
      const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
      const found = { rssMb: round(kb('VmRSS') / 1024), peakMb: round(kb('VmHWM') / 1024) };
      if (!best || found.rssMb > best.rssMb) best = found;
    } catch {
      // the process ended meanwhile
    }
  }
  return best;
}

interface Pass {
  requests: number;
  seconds: number;
  eventsPerSecond: number;
  latencyMs: ReturnType<typeof latencySummary>;
  errors: string[];
  accepted: number;
  duplicates: number;
}

/** Every event POSTed once, CONCURRENCY at a time, in order. */
async function pass(port: number, path: string, secret: string, events: readonly InboundEvent[]): Promise<Pass> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const latencies: number[] = [];
  const errors: string[] = [];
  let accepted = 0;
  let duplicates = 0;
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    for (let i = next++; i < events.length; i = next++) {
      const body = JSON.stringify(events[i]);
      const headers = { 'content-type': 'application/json', [SIGNATURE_HEADER]: signGeneric(secret, body, new Date()) };
      const t = performance.now();
      const error = await postCounting(agent, port, { path, headers, body });
      latencies.push(performance.now() - t);
      if (typeof error === 'string') errors.push(`${events[i].id}: ${error}`);
      else if (error.duplicates) duplicates++;
      else accepted++;
    }
  };
  try {
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  } finally {
    agent.destroy();
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    requests: events.length,
    seconds: round(seconds, 1),
    eventsPerSecond: round(events.length / seconds),
    latencyMs: latencySummary(latencies),
    errors: errors.slice(0, 20),
    accepted,
    duplicates,
  };
}

/** `post`, but reading the answer's `duplicates` (the pipeline's own word for a copy). */
async function postCounting(
  agent: Agent,
  port: number,
  req: { path: string; headers: Record<string, string>; body: string },
): Promise<string | { duplicates: number }> {
  let answer = '';
  const error = await post(agent, port, req, 30_000, (text) => {
    answer = text;
  });
  if (error) return error;
  return { duplicates: (JSON.parse(answer) as { duplicates: number }).duplicates };
}

const t0 = performance.now();
const { community, events, weeks } = load();
const config = parseCommunityConfig(community.config);
console.log(
  `bench:load: ${events.length} events of ${MEMBERS} members over ${weeks} weeks (seed ${SEED}), ${CONCURRENCY} clients`,
);
// What the store must hold for each member afterwards, from the events alone.
const expected = new Map<string, Record<string, number>>();
for (const event of events) {
  const delta = activityDelta(event);
  const sums = expected.get(event.member.id) ?? { messages: 0, replies: 0, reactions: 0, joins: 0, leaves: 0 };
  for (const [k, v] of Object.entries(delta)) sums[k] += v;
  expected.set(event.member.id, sums);
}

const stack = await StackChild.start();
let failed = false;
try {
  const db = createDb({ table: stack.info.table, endpoint: stack.info.endpoint, region: 'local' });
  await putCommunity(db, config, new Date());
  const path = `/webhooks/generic/${config.id}`;
  const pgid = stack.pgid as number;
  const memory = {
    started: await stackMemory(pgid),
    afterFirst: undefined as unknown,
    afterSecond: undefined as unknown,
  };

  const first = await pass(stack.port, path, config.webhookSecret, events);
  memory.afterFirst = await stackMemory(pgid);
  console.log(
    `  first pass: ${first.eventsPerSecond} events/s, p50 ${first.latencyMs.p50} ms, p99 ${first.latencyMs.p99} ms, ${first.accepted} accepted, ${first.duplicates} duplicates, ${first.errors.length} errors`,
  );
  const countsAfter = async () => {
    const wrong: string[] = [];
    const ids = [...expected.keys()];
    for (let i = 0; i < ids.length; i += 32) {
      await Promise.all(
        ids.slice(i, i + 32).map(async (id) => {
          // Messages, replies and reactions from the day rows; joins and leaves from the member.
          const stored = ((await getMemberWithTotals(db, config.id, id)) ?? {}) as unknown as Record<string, number>;
          const want = expected.get(id) as Record<string, number>;
          for (const k of Object.keys(want)) {
            if ((stored[k] ?? 0) !== want[k]) wrong.push(`${id} ${k}: stored ${stored[k] ?? 0}, sent ${want[k]}`);
          }
        }),
      );
    }
    return wrong;
  };
  const wrongAfterFirst = await countsAfter();

  const second = await pass(stack.port, path, config.webhookSecret, events);
  memory.afterSecond = await stackMemory(pgid);
  console.log(
    `  second pass (every event again): ${second.eventsPerSecond} events/s, p50 ${second.latencyMs.p50} ms, p99 ${second.latencyMs.p99} ms, ${second.duplicates} duplicates, ${second.accepted} accepted, ${second.errors.length} errors`,
  );
  const wrongAfterSecond = await countsAfter();
  db.doc.destroy();
  console.log(`  stack memory (MB, rss / peak): ${JSON.stringify(memory)}`);
  console.log(
    `  counts: ${expected.size} members checked; ${wrongAfterFirst.length} wrong after the first pass, ${wrongAfterSecond.length} after the second`,
  );
  for (const line of [...wrongAfterFirst, ...wrongAfterSecond].slice(0, 10)) console.log(`    ${line}`);

  failed =
    first.errors.length > 0 ||
    second.errors.length > 0 ||
    second.accepted > 0 ||
    wrongAfterFirst.length > 0 ||
    wrongAfterSecond.length > 0;
  const file = await writeResults('load.json', {
    benchmark: 'load',
    at: new Date().toISOString(),
    host: host(),
    source: sourceState(),
    method: `${events.length} events of the demo generator (${MEMBERS} members, ${weeks} weeks, seed ${SEED}) POSTed signed to the generic webhook by ${CONCURRENCY} keep-alive clients in time order, against the local stack in a child process; then all of them again; every member's day-row totals compared with the events' own counts after each pass`,
    events: events.length,
    members: expected.size,
    concurrency: CONCURRENCY,
    first,
    second,
    counts: {
      membersChecked: expected.size,
      wrongAfterFirst: wrongAfterFirst.length,
      wrongAfterSecond: wrongAfterSecond.length,
    },
    memoryMb: memory,
    pass: !failed,
    durationSeconds: round((performance.now() - t0) / 1000, 1),
  });
  console.log(`  ${failed ? 'FAIL' : 'PASS'}; written to ${file}`);
} finally {
  await stack.stop();
}
process.exit(failed ? 1 : 0);
