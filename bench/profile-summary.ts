/**
 * Summarise V8 .cpuprofile files (from `BENCH_STACK_CPU_PROF=<dir> npm run bench:ingest`):
 * top functions by self time, and self time by package.
 *
 *   npx tsx bench/profile-summary.ts <file-or-dir>… [--top 25]
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
  if (project >= 0) return url.slice(project + '/work/main/'.length).split('/').slice(0, 2).join('/');
  return url;
}

const pct = (part: number, total: number) => `${((100 * part) / total).toFixed(1).padStart(5)}%`;

for (const file of files) {
  const profile = JSON.parse(await readFile(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
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
    const where = url ? `${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/\/work\/main\//, '')}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'} ${where}`.trim();
    byFunction.set(key, (byFunction.get(key) ?? 0) + time);
    const pkg = packageOf(url, functionName);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + time);
  }

  console.log(`\n${file}`);
  console.log(
    `  wall ${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s, sampled ${(total / 1e6).toFixed(1)} s, busy ${(busy / 1e6).toFixed(1)} s (${pct(busy, total).trim()}), idle ${(idle / 1e6).toFixed(1)} s`,
  );
  console.log(`  top ${top} functions by self time (share of busy time):`);
  for (const [key, time] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`  ${pct(time, busy)} ${(time / 1e3).toFixed(0).padStart(7)} ms  ${key}`);
  }
  console.log('  self time by package / module:');
  for (const [pkg, time] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 20)) {
    console.log(`  ${pct(time, busy)} ${(time / 1e3).toFixed(0).padStart(7)} ms  ${pkg}`);
  }
}
