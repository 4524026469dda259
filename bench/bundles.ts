/**
 * `npm run bench:bundles`: each Lambda function's bundle, its size and the
 * time a fresh Node process takes to load it, beside a floor: a handler that
 * only creates the AWS SDK clients the function's access needs (DynamoDB and
 * its document client for the table, EventBridge for the bus, SSM for
 * secrets, SES v2 for mail, SQS for a queue), bundled the same way, in the same run.
 *
 * Both are built with the CDK stack's esbuild options (infra/constructs/
 * hearth-function.ts: ESM, minified, node22, module before main, the SDK
 * inside, the `require` banner). Load time: `await import()` of the bundle
 * timed inside a fresh `node` process (its own start not counted), the
 * median of BENCH_LOADS (15) processes, bundle and floor alternating so that
 * load on the machine falls on both alike. Goal: each bundle at most 1.3× its
 * floor in size and 1.25× in load time. Writes bench/results/bundles.json.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { type Access, FUNCTIONS } from '../infra/topology';
import { ENV } from '../shared/runtime/env';
import { envInt, host, percentile, ROOT, round, sourceState, writeResults } from './lib';

const run = promisify(execFile);
const LOADS = envInt('BENCH_LOADS', 15);
const GOAL = { size: 1.3, load: 1.25 } as const;

/** The SDK clients an access needs, as the functions create them. */
const CLIENTS: Record<Access, { imports: string; create: string }> = {
  'table:read': {
    imports:
      "import { DynamoDBClient } from '@aws-sdk/client-dynamodb'; import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';",
    create: 'DynamoDBDocumentClient.from(new DynamoDBClient({}))',
  },
  'table:write': { imports: '', create: '' },
  'bus:put': {
    imports: "import { EventBridgeClient } from '@aws-sdk/client-eventbridge';",
    create: 'new EventBridgeClient({})',
  },
  'secrets:read': { imports: "import { SSMClient } from '@aws-sdk/client-ssm';", create: 'new SSMClient({})' },
  'mail:send': { imports: "import { SESv2Client } from '@aws-sdk/client-sesv2';", create: 'new SESv2Client({})' },
  'queue:send': { imports: "import { SQSClient } from '@aws-sdk/client-sqs';", create: 'new SQSClient({})' },
};

/** The floor's source for one function: its clients, created at load as the function's modules create them. */
function floorSource(access: readonly Access[]): string {
  const used = access.map((a) => CLIENTS[a]).filter((c) => c.create);
  return [
    ...used.map((c) => c.imports),
    `export const clients = [${used.map((c) => c.create).join(', ')}];`,
    'export const handler = async () => ({ statusCode: 200, clients: clients.length });',
  ].join('\n');
}

/** The stack's bundling options (infra/constructs/hearth-function.ts). */
const OPTIONS: BuildOptions & { metafile: true } = {
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  mainFields: ['module', 'main'],
  banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
  metafile: true,
  logLevel: 'silent',
};

interface Built {
  file: string;
  bytes: number;
  metafile: Metafile;
}

async function bundle(dir: string, name: string, input: { entry: string } | { source: string }): Promise<Built> {
  const file = join(dir, `${name}.mjs`);
  const result = await build({
    ...OPTIONS,
    outfile: file,
    absWorkingDir: ROOT,
    ...('entry' in input
      ? { entryPoints: [join(ROOT, input.entry)] }
      : { stdin: { contents: input.source, resolveDir: ROOT, loader: 'js' as const } }),
  });
  const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
  return { file, bytes, metafile: result.metafile };
}

/** The environment the functions read at load, with placeholder values (nothing is called). */
const LOAD_ENV = {
  ...process.env,
  AWS_REGION: 'us-east-1',
  [ENV.table]: 'bench',
  [ENV.bus]: 'bench',
  [ENV.secretsPrefix]: '/hearth/',
  [ENV.mailFrom]: 'bench@example.com',
  POWERTOOLS_METRICS_NAMESPACE: 'Hearth',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/** Milliseconds a fresh process spends in `await import(file)`. */
async function loadMs(file: string): Promise<number> {
  const script = `const t = performance.now(); await import(${JSON.stringify(`file://${file}`)}); process.stdout.write(String(performance.now() - t));`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { env: LOAD_ENV });
  return Number(stdout);
}

/** The middle of an odd count (percentile's nearest rank). */
const median = (values: number[]) => percentile(values, 50);

/** Bytes of the bundle by package (or our own folder), for the shares above the floor. */
function byPackage(metafile: Metafile): Map<string, number> {
  const shares = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const found = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const key = found ? found[1] : input.split('/').slice(0, 2).join('/');
      shares.set(key, (shares.get(key) ?? 0) + bytesInOutput);
    }
  }
  return shares;
}

const began = performance.now();
const dir = await mkdtemp(join(tmpdir(), 'hearth-bundles-'));
try {
  console.log(`bench:bundles: ${FUNCTIONS.length} functions, each beside its SDK clients alone; ${LOADS} loads each`);
  const functions = [];
  for (const fn of FUNCTIONS) {
    const [real, floor] = await Promise.all([
      bundle(dir, fn.name, { entry: fn.entry }),
      bundle(dir, `${fn.name}-floor`, { source: floorSource(fn.access) }),
    ]);
    const realLoads: number[] = [];
    const floorLoads: number[] = [];
    for (let i = 0; i < LOADS; i++) {
      realLoads.push(await loadMs(real.file));
      floorLoads.push(await loadMs(floor.file));
    }
    const floorShares = byPackage(floor.metafile);
    const above = [...byPackage(real.metafile)]
      .map(([name, bytes]) => ({ name, bytes: bytes - (floorShares.get(name) ?? 0) }))
      .filter((share) => share.bytes > 1_000)
      .sort((a, b) => b.bytes - a.bytes)
      .slice(0, 6)
      .map((share) => ({ name: share.name, kb: round(share.bytes / 1000) }));
    const sizeRatio = real.bytes / floor.bytes;
    const loadRatio = median(realLoads) / median(floorLoads);
    const row = {
      function: fn.name,
      clients: fn.access.filter((a) => CLIENTS[a].create).map((a) => a),
      kb: round(real.bytes / 1000),
      floorKb: round(floor.bytes / 1000),
      sizeRatio: round(sizeRatio, 2),
      loadMs: round(median(realLoads), 1),
      floorLoadMs: round(median(floorLoads), 1),
      loadRatio: round(loadRatio, 2),
      goal: { size: `<= ${GOAL.size}`, load: `<= ${GOAL.load}` },
      pass: { size: sizeRatio <= GOAL.size, load: loadRatio <= GOAL.load },
      largestAboveFloor: above,
    };
    functions.push(row);
    console.log(
      `  ${fn.name.padEnd(10)} ${String(row.kb).padStart(6)} KB vs ${String(row.floorKb).padStart(6)} KB (${row.sizeRatio}x)   load ${row.loadMs} ms vs ${row.floorLoadMs} ms (${row.loadRatio}x)   above the floor: ${above
        .slice(0, 4)
        .map((s) => `${s.name} ${s.kb} KB`)
        .join(', ')}`,
    );
  }
  const report = {
    benchmark: 'bundles',
    at: new Date().toISOString(),
    host: host(),
    source: sourceState(),
    method: `esbuild with the stack's options (ESM, minified, node22, SDK bundled); load = median of ${LOADS} fresh processes' await import(), bundle and floor alternating; floor = a handler creating only the function's SDK clients`,
    functions,
    durationSeconds: round((performance.now() - began) / 1000, 1),
  };
  const file = await writeResults('bundles.json', report);
  console.log(`  written to ${file.slice(ROOT.length)} (${report.durationSeconds} s)`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
