/**
 * `npm run bench:cli`: how long `node bin/hearth.js member show <c> <m>` takes against a running local stack
 * (a process started, the command parsed, the stack found, two reads, the answer printed), beside a bare
 * `node -e 0` started in the same run: the median of BENCH_CLI_RUNS (15) each, the two alternating. Goal:
 * within 4× of `node -e 0`. Writes bench/results/cli.json.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { genericWebhookUrl, SIGNATURE_HEADER, signGeneric } from '../shared/platforms/generic/inbound';
import { envInt, host, percentile, ROOT, round, sourceState, writeResults } from './lib';
import { StackChild } from './stack';

const run = promisify(execFile);
const RUNS = envInt('BENCH_CLI_RUNS', 15);
const GOAL = 4;

/** Wall milliseconds of one process, start to exit. */
async function wallMs(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const started = performance.now();
  await run(process.execPath, args, { cwd: ROOT, env });
  return performance.now() - started;
}

/** The middle of an odd count (percentile's nearest rank). */
const median = (values: number[]) => percentile(values, 50);

const began = performance.now();
const stack = await StackChild.start();
try {
  // One member to show, posted as a newcomer would post it.
  const body = JSON.stringify({
    id: 'bench-cli-join',
    type: 'member.joined',
    occurredAt: new Date().toISOString(),
    member: { id: 'ada', name: 'Ada' },
  });
  const response = await fetch(genericWebhookUrl(`http://127.0.0.1:${stack.port}`, 'demo'), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      [SIGNATURE_HEADER]: signGeneric('whsec_demo_local_only', body, new Date()),
    },
    body,
  });
  if (!response.ok) throw new Error(`the join was refused: ${response.status} ${await response.text()}`);
  const env = { ...process.env, HEARTH_DATA_DIR: stack.dataDir };
  const show = ['bin/hearth.js', 'member', 'show', 'demo', 'ada', '--json'];
  // Once first: a stale CLI build is rebuilt here, not timed.
  await wallMs(show, env);
  const cli: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    bare.push(await wallMs(['-e', '0'], env));
    cli.push(await wallMs(show, env));
  }
  const ratio = median(cli) / median(bare);
  const report = {
    benchmark: 'cli',
    at: new Date().toISOString(),
    host: host(),
    source: sourceState(),
    method: `median wall time of ${RUNS} processes each, alternating: node bin/hearth.js member show demo ada --json against a running local stack, and node -e 0`,
    memberShowMs: round(median(cli)),
    nodeMs: round(median(bare)),
    ratio: round(ratio, 2),
    goal: `<= ${GOAL}`,
    pass: ratio <= GOAL,
    durationSeconds: round((performance.now() - began) / 1000, 1),
  };
  const file = await writeResults('cli.json', report);
  console.log(
    `bench:cli: member show ${report.memberShowMs} ms, node -e 0 ${report.nodeMs} ms: ${report.ratio}x (goal <= ${GOAL}); written to ${file.slice(ROOT.length)}`,
  );
} finally {
  await stack.stop();
}
