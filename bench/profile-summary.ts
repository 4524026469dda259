/**
 * Summarise V8 .cpuprofile files (from `BENCH_STACK_CPU_PROF=<dir> npm run bench:ingest`):
 * top functions by self time, and self time by package.
 *
 *   npx tsx bench/profile-summary.ts <file-or-dir>… [--top 25] [--skip <ms>]
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
const topAt = args.indexOf('--top');
const top = topAt >= 0 ? Number(args.splice(topAt, 2)[1]) : 25;
// Samples before `--skip <ms>` (from the profile's start: startup, module loading) are left out.
const skipAt = args.indexOf('--skip');
const skipMs = skipAt >= 0 ? Number(args.splice(skipAt, 2)[1]) : 0;
if (args.length === 0) {
  console.error('usage: tsx bench/profile-summary.ts <file.cpuprofile | dir>… [--top N]');
  process.exit(2);
}

const files: string[] = [];
for (const arg of args) {
  if ((await stat(arg)).isDirectory()) {
    for (const name of (await readdir(arg)).sort()) if (name.endsWith('.cpuprofile')) files.push(join(arg, name));
  } else files.push(arg);
}

/** `node_modules/@scope/pkg` or `node_modules/pkg`, else the project path or a V8 category. */
function packageOf(url: string, functionName: string): string {
  if (!url) return `(${functionName || 'native'})`;
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const parts = url.slice(nm + 'node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (url.startsWith('node:')) return url;
  const project = url.indexOf('/work/main/');
  if (project >= 0)
    return url
      .slice(project + '/work/main/'.length)
      .split('/')
      .slice(0, 2)
      .join('/');
  return url;
}

/** Parts of the stack a sample can be charged to, innermost first. */
const PARTS: [string, (url: string) => boolean][] = [
  ['AWS SDK client (@aws-sdk, @smithy, incl. its HTTP requests)', (u) => /node_modules\/@(aws-sdk|smithy)\//.test(u)],
  ['dynalite', (u) => u.includes('node_modules/dynalite/')],
  ['leveldb (classic-level, abstract-level)', (u) => /node_modules\/(classic-level|abstract-level)\//.test(u)],
  ['zod', (u) => u.includes('node_modules/zod/')],
  ['luxon', (u) => u.includes('node_modules/luxon/')],
  ['powertools, middy', (u) => /node_modules\/@(aws-lambda-powertools|middy)\//.test(u)],
  ['tsx, module loading', (u) => u.includes('node_modules/tsx/') || u.startsWith('node:internal/modules/')],
  ['project: shared/', (u) => u.includes('/shared/') && !u.includes('node_modules')],
  ['project: infra/local (HTTP server glue)', (u) => u.includes('/infra/local/') && !u.includes('node_modules')],
  ['node HTTP server', (u) => ['node:_http_server', 'node:_http_incoming', 'node:_http_common'].includes(u)],
  ['node HTTP client', (u) => ['node:_http_client', 'node:_http_agent'].includes(u)],
];

const pct = (part: number, total: number) => `${((100 * part) / total).toFixed(1).padStart(5)}%`;

for (const file of files) {
  const profile = JSON.parse(await readFile(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let at = profile.startTime;
  const from = profile.startTime + skipMs * 1000;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    if (at < from) continue;
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const idle = [...self.entries()]
    .filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)')
    .reduce((a, [, t]) => a + t, 0);
  const busy = total - idle;

  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  for (const [id, time] of self) {
    const { functionName, url, lineNumber } = (byId.get(id) as ProfileNode).callFrame;
    if (functionName === '(idle)') continue;
    const where = url
      ? `${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/\/work\/main\//, '')}:${lineNumber + 1}`
      : '';
    const key = `${functionName || '(anonymous)'} ${where}`.trim();
    byFunction.set(key, (byFunction.get(key) ?? 0) + time);
    const pkg = packageOf(url, functionName);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + time);
  }

  // Each busy sample charged to the innermost frame on its stack that belongs to a known part.
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const byPart = new Map<string, number>();
  const partCache = new Map<number, string>();
  const partOf = (id: number): string => {
    const cached = partCache.get(id);
    if (cached) return cached;
    let part: string | undefined;
    for (let at: number | undefined = id; at !== undefined && !part; at = parent.get(at)) {
      const frame = byId.get(at)?.callFrame;
      if (frame?.url) part = PARTS.find(([, test]) => test(frame.url))?.[0];
    }
    const leaf = byId.get(id)?.callFrame;
    part ??= leaf?.url
      ? `other: ${packageOf(leaf.url, leaf.functionName)}`
      : `other: (${leaf?.functionName || 'native'})`;
    partCache.set(id, part);
    return part;
  };
  for (const [id, time] of self) {
    if (byId.get(id)?.callFrame.functionName === '(idle)') continue;
    const part = byId.get(id)?.callFrame.functionName === '(garbage collector)' ? 'garbage collector' : partOf(id);
    byPart.set(part, (byPart.get(part) ?? 0) + time);
  }

  console.log(`\n${file}`);
  console.log(
    `  wall ${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s, sampled ${(total / 1e6).toFixed(1)} s, busy ${(busy / 1e6).toFixed(1)} s (${pct(busy, total).trim()}), idle ${(idle / 1e6).toFixed(1)} s`,
  );
  console.log(`  top ${top} functions by self time (share of busy time):`);
  for (const [key, time] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`  ${pct(time, busy)} ${(time / 1e3).toFixed(0).padStart(7)} ms  ${key}`);
  }
  console.log('  busy time by part (each sample charged to the innermost frame of a known part on its stack):');
  for (const [part, time] of [...byPart].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
    console.log(`  ${pct(time, busy)} ${(time / 1e3).toFixed(0).padStart(7)} ms  ${part}`);
  }
  console.log('  self time by package / module:');
  for (const [pkg, time] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 20)) {
    console.log(`  ${pct(time, busy)} ${(time / 1e3).toFixed(0).padStart(7)} ms  ${pkg}`);
  }
}
