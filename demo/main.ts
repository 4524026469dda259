/**
 * `npm run demo [-- --members 500 --weeks 8 --seed 1 --data .hearth-demo --json]`: a synthetic community
 * replayed through the real local stack in a data folder of its own, ending with the last week's digest
 * and what every message kind came to. Exit 2 on a bad flag (naming it), 1 on anything else.
 */
import { rm } from 'node:fs/promises';
import { relative, resolve } from 'node:path';

// Quiet, local defaults, set before the handlers' modules read them.
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// First: the invocation store every local invocation runs in (see infra/local/invoke-store.ts).
await import('../infra/local/invoke-store');
const { Command, InvalidArgumentError } = await import('commander');
const { SingleBar } = await import('cli-progress');

const count = (field: string, min: number, max: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new InvalidArgumentError(`${field} must be a whole number from ${min} to ${max}`);
  }
  return n;
};

const program = new Command('demo')
  .description('Replay a synthetic community through the local stack and show what Hearth did.')
  .option('--members <n>', 'members in the community', count('--members', 10, 20_000), 500)
  .option('--weeks <n>', 'weeks to replay', count('--weeks', 1, 52), 8)
  .option(
    '--seed <n>',
    'the seed: the same seed, the same community and the same numbers',
    count('--seed', 0, 2 ** 31),
    1,
  )
  .option('--data <dir>', 'its data folder (emptied first)', '.hearth-demo')
  .option('--json', 'print the summary as one JSON value')
  .exitOverride()
  .configureOutput({
    outputError: (message) => process.stderr.write(`npm run demo: ${message.replace(/^error: /, '')}`),
  });

try {
  program.parse();
} catch (error) {
  const { exitCode } = error as { exitCode?: number };
  process.exit(exitCode === 0 ? 0 : 2);
}
const flags = program.opts<{ members: number; weeks: number; seed: number; data: string; json?: boolean }>();

const { generateCommunity } = await import('./community');
const { replay } = await import('./replay');
const { describeSummary, summarize } = await import('./summary');
const { auditSends } = await import('./audit');
const { parseCommunityConfig } = await import('../shared/domain/config');
const { kindLabel } = await import('../shared/workflows/registry');
const { DataFolderInUseError } = await import('../infra/local/dynamo');
const { runningStack } = await import('../infra/local/stack-file');

const dataDir = resolve(flags.data);
/** A path as the reader typed it: relative to here when it is under here. */
const shown = (path: string) => {
  const near = relative(process.cwd(), path);
  return near && !near.startsWith('..') ? near : path;
};
const community = generateCommunity({ members: flags.members, weeks: flags.weeks, seed: flags.seed });
const config = parseCommunityConfig(community.config);
// A day past the last week, so that its digest (Monday morning) and that day's greetings go out.
const until = community.end.plus({ days: 1 });

// A bar on a terminal; in a pipe or a CI log, nothing (cli-progress draws only to a TTY).
const bar = new SingleBar({
  format: 'replaying {bar} {percentage}% | {day} | {posted} events posted, {dispatches} dispatcher runs',
  hideCursor: true,
  clearOnComplete: true,
  stream: process.stdout,
});
const started = performance.now();
try {
  // Its own folder, emptied: never one a running stack holds.
  const running = await runningStack(dataDir);
  if (running) throw new DataFolderInUseError(`${dataDir} (the local stack, pid ${running.pid})`);
  await rm(dataDir, { recursive: true, force: true });
  if (!flags.json) {
    process.stdout.write(
      `Hearth demo: ${flags.members} members over ${flags.weeks} weeks (seed ${flags.seed}), ${community.events.length} events, replayed into ${shown(dataDir)}\n`,
    );
  }
  bar.start(100, 0, { day: community.start.toISODate(), posted: 0, dispatches: 0 });
  const run = await replay(community, {
    dataDir,
    until,
    onProgress: (p) =>
      bar.update(Math.floor(p.fraction * 100), {
        day: p.at.toISOString().slice(0, 10),
        posted: p.posted,
        dispatches: p.dispatches,
      }),
  });
  bar.stop();
  try {
    const summary = await summarize(
      run.db,
      config,
      { start: community.start, end: community.end, until: run.until },
      dataDir,
    );
    const audit = await auditSends(community, config, run.db, dataDir);
    const seconds = (performance.now() - started) / 1000;
    if (flags.json) {
      const replayed = { events: run.posted, sweeps: run.sweeps, dispatches: run.dispatches };
      process.stdout.write(`${JSON.stringify({ ...flags, dataDir, replayed, ...summary, audit }, null, 2)}\n`);
    } else {
      process.stdout.write(
        [
          `replayed ${run.posted} events, ${run.sweeps} scheduled sweeps and ${run.dispatches} dispatcher runs in ${seconds.toFixed(1)} s`,
          `  (${Object.entries(run.spentMs)
            .map(([part, ms]) => `${part} ${(ms / 1000).toFixed(1)} s`)
            .join(', ')})`,
          '',
          describeSummary(
            {
              ...summary,
              digest: {
                ...summary.digest,
                ...(summary.digest.eml ? { eml: shown(summary.digest.eml) } : {}),
                ...(summary.digest.html ? { html: shown(summary.digest.html) } : {}),
              },
            },
            (kind) => kindLabel(kind, 'en'),
          ),
          `Counted from the chat sink, not from Hearth's report: of ${audit.checked} messages, ${audit.quietHours} in quiet hours, ${audit.afterOptOut} after an opt-out, ${audit.overCaps} over the caps, ${audit.duplicates} sent twice, ${audit.toDeparted} to a member who had left`,
          ...audit.examples.map((example) => `  ${example}`),
          '',
          `Look around: HEARTH_DATA_DIR=${flags.data} npx hearth outbox --community ${config.id}`,
          `             HEARTH_DATA_DIR=${flags.data} npx hearth digest preview --community ${config.id} --week ${summary.week}`,
          '',
        ].join('\n'),
      );
    }
    if (summary.digest.status !== 'sent') process.exitCode = 1;
  } finally {
    await run.stop();
  }
} catch (error) {
  bar.stop();
  if (error instanceof DataFolderInUseError) {
    process.stderr.write(`npm run demo: ${error.message}: stop it, or give the demo another --data\n`);
  } else {
    const detail = process.env.HEARTH_DEBUG ? ((error as Error).stack ?? String(error)) : String(error);
    process.stderr.write(`npm run demo: ${detail}\n`);
  }
  process.exitCode = 1;
}
