/**
 * `npm run bench:report` (the last step of `npm run bench`): one report from the benches' results,
 * bench/results/latest.md and latest.json, a summary table on top and each figure with its method. Every
 * ratio in it was taken within one bench's run. A bench whose results are missing, or older than
 * BENCH_SINCE (an ISO time: `npm run bench` passes its start), is named as not measured in this run, with
 * why where known (DynamoDB Local needs Java).
 */
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { host, RESULTS_DIR, ROOT, round, sourceState } from './lib';

// biome-ignore lint/suspicious/noExplicitAny: each bench writes its own shape; the report reads what it knows.
type Json = any;

const since = process.env.BENCH_SINCE ? Date.parse(process.env.BENCH_SINCE) : 0;
const hasJava = (() => {
  try {
    execFileSync('java', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

async function load(name: string): Promise<Json | undefined> {
  try {
    const data = JSON.parse(await readFile(join(RESULTS_DIR, `${name}.json`), 'utf8'));
    return Date.parse(data.at) >= since ? data : undefined;
  } catch {
    return undefined;
  }
}

const [ingest, platforms, capacity, sweeps, digest, dispatch, bundles, cli] = await Promise.all(
  ['ingest', 'platforms', 'capacity', 'sweeps', 'digest', 'dispatch', 'bundles', 'cli'].map(load),
);
const needsJava = 'needs DynamoDB Local, which needs Java (17): not found on this machine';
const missing = (bench: string, why = 'not measured in this run') => ({ bench, why });
const absent: Array<{ bench: string; why: string }> = [];
for (const [bench, data] of Object.entries({ ingest, platforms, dispatch, bundles, cli })) {
  if (!data) absent.push(missing(bench));
}
for (const [bench, data] of Object.entries({ capacity, sweeps, digest })) {
  if (!data) absent.push(missing(bench, hasJava ? 'not measured in this run' : needsJava));
}

/** One summary row: what, the figure, what it is beside, the ratio, the goal where there is one. */
interface Row {
  figure: string;
  value: string;
  beside: string;
  ratio: string;
  goal: string;
}
const rows: Row[] = [];
const sections: string[] = [];
const x = (n: number) => `${round(n, 2)}×`;

if (ingest) {
  const serial = ingest.serial;
  rows.push({
    figure: `webhook ingest, ${ingest.config.concurrency} clients`,
    value: `${ingest.ingest.eventsPerSecond} events/s, p50 ${ingest.ingest.latencyMs.p50} ms, p99 ${ingest.ingest.latencyMs.p99} ms`,
    beside: `raw PutItem ${ingest.raw.opsPerSecond}/s`,
    ratio: x(ingest.ratio),
    goal: ingest.targets.ratio.target,
  });
  if (serial) {
    rows.push({
      figure: 'webhook ingest, 1 client',
      value: `${serial.eventsPerSecond} events/s, p50 ${serial.latencyMs.p50} ms, p99 ${serial.latencyMs.p99} ms`,
      beside: `raw PutItem ${ingest.raw.opsPerSecond}/s (32 clients)`,
      ratio: x(serial.eventsPerSecond / ingest.raw.opsPerSecond),
      goal: '',
    });
  }
  sections.push(
    [
      '## Ingest',
      '',
      `Method: ${ingest.ingest.path}; ${ingest.config.warmupMs} ms warm-up, ${ingest.config.measureMs} ms measured per phase; raw: ${ingest.raw.engine}, ${ingest.config.concurrency} concurrent PutItems.`,
      '',
      '| phase | events/s | p50 ms | p95 ms | p99 ms |',
      '|---|---|---|---|---|',
      `| ${ingest.config.concurrency} clients | ${ingest.ingest.eventsPerSecond} | ${ingest.ingest.latencyMs.p50} | ${ingest.ingest.latencyMs.p95} | ${ingest.ingest.latencyMs.p99} |`,
      ...(serial
        ? [
            `| 1 client | ${serial.eventsPerSecond} | ${serial.latencyMs.p50} | ${serial.latencyMs.p95} | ${serial.latencyMs.p99} |`,
          ]
        : []),
      `| paced at ${ingest.paced.eventsPerSecond}/s | ${ingest.paced.eventsPerSecond} | ${ingest.paced.latencyMs.p50} | ${ingest.paced.latencyMs.p95} | ${ingest.paced.latencyMs.p99} |`,
      `| raw PutItem, ${ingest.config.concurrency} clients | ${ingest.raw.opsPerSecond} | ${ingest.raw.p50Ms} | | ${ingest.raw.p99Ms} |`,
    ].join('\n'),
  );
}

if (platforms) {
  const lines = Object.entries(platforms.platforms as Record<string, Json>).map(
    ([name, p]) => `| ${name} | ${p.sent} | ${p.latencyMs.p50} | ${p.latencyMs.p99} | ${p.errors} |`,
  );
  sections.push(
    [
      '## Webhooks by platform',
      '',
      `Method: each platform's signed (and, on WeCom and Feishu, encrypted) message webhook at ${platforms.config.rate} requests/s for ${platforms.config.measureMs} ms after ${platforms.config.warmupMs} ms of warm-up.`,
      '',
      '| platform | sent | p50 ms | p99 ms | errors |',
      '|---|---|---|---|---|',
      ...lines,
    ].join('\n'),
  );
}

if (capacity) {
  const lines = (capacity.cases as Json[]).map(
    (c) =>
      `| ${c.case} | ${c.calls.length} | ${c.writeUnits.table} | ${Object.values(c.writeUnits.indexes as Record<string, number>).reduce((a, b) => a + b, 0)} | ${c.writeUnits.total} | ${c.readUnits} |`,
  );
  const join = (capacity.cases as Json[]).find((c) => String(c.case).includes('member.joined'));
  if (join) {
    rows.push({
      figure: 'a join: calls, write units',
      value: `${join.calls.length} calls, ${join.writeUnits.total} WCU (${join.writeUnits.table} table)`,
      beside: 'index writes included',
      ratio: '',
      goal: '',
    });
  }
  sections.push(
    [
      '## Writes and reads per event kind',
      '',
      `Method: each case's calls through the webhook's ingest, ReturnConsumedCapacity INDEXES on ${capacity.engine?.name ?? 'DynamoDB Local'}.`,
      '',
      '| case | calls | table WCU | index WCU | total WCU | RCU |',
      '|---|---|---|---|---|---|',
      ...lines,
    ].join('\n'),
  );
}

if (sweeps) {
  const sizes = [...new Set((sweeps.results as Json[]).map((r) => r.size as number))];
  const lines: string[] = [];
  for (const size of sizes) {
    const at = (sweeps.results as Json[]).filter((r) => r.size === size);
    for (const r of at) {
      lines.push(
        `| ${size.toLocaleString('en')} | ${r.sweep} | ${r.report.found ?? ''} | ${r.reads.requests} | ${r.reads.units} | ${r.seconds} |`,
      );
    }
    const scan = (sweeps.scans as Json[] | undefined)?.find((s) => s.size === size);
    if (scan)
      lines.push(
        `| ${size.toLocaleString('en')} | **full Scan** | ${scan.items} items | ${scan.requests} | ${scan.units} | ${scan.seconds} |`,
      );
    const units = at.reduce((sum, r) => sum + r.reads.units, 0);
    const found = at.reduce((sum, r) => sum + (r.report.found ?? 0), 0);
    if (scan) {
      rows.push({
        figure: `the ${at.length} sweeps, ${size.toLocaleString('en')} members`,
        value: `${round(units, 1)} RCU for ${found.toLocaleString('en')} members found: ${round(units / Math.max(found, 1), 3)} a member found`,
        beside: `a full Scan: ${scan.units} RCU for ${scan.items.toLocaleString('en')} items, ${scan.seconds} s`,
        ratio: `sweeps ${x(units / scan.units)} of a Scan`,
        goal: '',
      });
    }
  }
  sections.push(
    [
      '## Sweeps at 1,000, 10,000 and 100,000 members',
      '',
      `Method: one as-of run of each sweep at ${sweeps.instant} on a fresh table per size (${sweeps.population?.planted ?? 'the same planted members at every size'}), read units from ReturnConsumedCapacity TOTAL on DynamoDB Local; beside it, a full Scan (Select COUNT) of the same table in the same run.`,
      '',
      '| members | sweep | found | reads | RCU | s |',
      '|---|---|---|---|---|---|',
      ...lines,
      '',
      ...(sweeps.findings as string[]).map((f) => `- ${f}`),
    ].join('\n'),
  );
}

if (digest) {
  const steady = digest.steady[0];
  rows.push({
    figure: `weekly digest, ${digest.community.members.toLocaleString('en')} members`,
    value: `${steady.units} RCU, ${round(steady.ms / 1000, 2)} s`,
    beside: `the plain Queries of the day rows: ${digest.plain.sequential[0].units} RCU, ${round(digest.plain.sequential[0].ms / 1000, 2)} s`,
    ratio: `${digest.ratios.units}× reads, ${digest.ratios.time}× time`,
    goal: `<= ${digest.targets.reads}× reads, <= ${digest.targets.time}× time`,
  });
  sections.push(
    [
      '## Digest',
      '',
      `Method: the ${digest.week} report of a community of ${digest.community.members.toLocaleString('en')} members (WAU ${digest.community.wau}), ${digest.seeding.dayRows.toLocaleString('en')} day rows, on DynamoDB Local; beside it, the Queries that read only the day rows it needs, in the same run.`,
      '',
      `- first digest (history read once): ${digest.first.requests} requests, ${digest.first.units} RCU, ${round(digest.first.ms / 1000, 1)} s`,
      `- a digest after it: ${steady.requests} requests, ${steady.units} RCU, ${round(steady.ms / 1000, 2)} s (×${digest.ratios.units} the floor's reads, ×${digest.ratios.time} its time; ×${digest.ratios.timeAgainstParallel} against the floor's Queries in parallel)`,
    ].join('\n'),
  );
}

if (dispatch) {
  rows.push({
    figure: 'dispatch, pacing off',
    value: `${dispatch.itemsPerSecond} items/s`,
    beside: `the store's floor for ${dispatch.floor.writesPerItem} writes an item: ${dispatch.floor.itemsPerSecond} items/s`,
    ratio: x(dispatch.ratio),
    goal: '',
  });
  sections.push(
    [
      '## Dispatch',
      '',
      `Method: ${dispatch.method}.`,
      '',
      `- ${dispatch.items} items in ${dispatch.seconds} s: ${dispatch.itemsPerSecond} items/s; per item ${dispatch.perItem.writes} writes and ${dispatch.perItem.reads} reads (${Object.entries(
        dispatch.perItem.calls as Record<string, number>,
      )
        .map(([c, n]) => `${c} ${n}`)
        .join(', ')})`,
      `- floor: ${dispatch.floor.itemsPerSecond} items/s (${dispatch.floor.writesPerItem} UpdateItems an item); dispatch at ${x(dispatch.ratio)} of it`,
    ].join('\n'),
  );
}

if (bundles) {
  const lines = (bundles.functions as Json[]).map(
    (f) =>
      `| ${f.function} | ${f.kb} | ${f.floorKb} | ${f.sizeRatio}× ${f.pass.size ? 'PASS' : 'MISS'} | ${f.loadMs} | ${f.floorLoadMs} | ${f.loadRatio}× ${f.pass.load ? 'PASS' : 'MISS'} | ${(f.largestAboveFloor as Json[]).map((s) => `${s.name} ${s.kb}`).join(', ')} |`,
  );
  for (const f of bundles.functions as Json[]) {
    rows.push({
      figure: `${f.function} bundle`,
      value: `${f.kb} KB, loads in ${f.loadMs} ms`,
      beside: `its SDK clients alone: ${f.floorKb} KB, ${f.floorLoadMs} ms`,
      ratio: `${f.sizeRatio}× size, ${f.loadRatio}× load`,
      goal: `<= ${bundles.functions[0].goal.size.replace('<= ', '')}× size, <= ${bundles.functions[0].goal.load.replace('<= ', '')}× load`,
    });
  }
  sections.push(
    [
      '## Lambda bundles',
      '',
      `Method: ${bundles.method}.`,
      '',
      '| function | KB | floor KB | size | load ms | floor ms | load | largest shares above the floor (KB) |',
      '|---|---|---|---|---|---|---|---|',
      ...lines,
    ].join('\n'),
  );
}

if (cli) {
  rows.push({
    figure: 'CLI: member show against a running stack',
    value: `${cli.memberShowMs} ms`,
    beside: `node -e 0: ${cli.nodeMs} ms`,
    ratio: x(cli.ratio),
    goal: `${cli.goal}×`,
  });
  sections.push(['## CLI start', '', `Method: ${cli.method}.`].join('\n'));
}

const runHost = host();
const source = sourceState();
const md = [
  '# Hearth benchmark report',
  '',
  `Written ${new Date().toISOString()} on ${runHost.cpus} × ${runHost.cpuModel}, Node ${runHost.node}, commit ${source.commit}${source.uncommittedChanges ? ' (with uncommitted changes)' : ''}. Every ratio was taken within one bench's run; each section says how its figures were measured.`,
  '',
  '| figure | value | beside | ratio | goal |',
  '|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.figure} | ${r.value} | ${r.beside} | ${r.ratio} | ${r.goal} |`),
  '',
  ...(absent.length ? ['Not in this report:', ...absent.map((a) => `- ${a.bench}: ${a.why}`), ''] : []),
  ...sections.flatMap((s) => [s, '']),
].join('\n');

const json = {
  at: new Date().toISOString(),
  host: runHost,
  source,
  summary: rows,
  absent,
  results: { ingest, platforms, capacity, sweeps, digest, dispatch, bundles, cli },
};
await writeFile(join(RESULTS_DIR, 'latest.md'), md);
await writeFile(join(RESULTS_DIR, 'latest.json'), `${JSON.stringify(json, null, 2)}\n`);
console.log(md.split('\n\n## ')[0]);
console.log(`\nwritten to ${join(RESULTS_DIR, 'latest.md').slice(ROOT.length)} and latest.json`);
