#!/usr/bin/env node
// The operator CLI: the bundle scripts/build-cli.mjs builds (`npm ci` does), rebuilt here when a source is
// newer than it; without esbuild, the TypeScript sources through tsx.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BUNDLE, buildCli, ROOT, SOURCES } from '../scripts/build-cli.mjs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';

/** The newest modification time among the bundle's sources (a few hundred stats: milliseconds). */
function newestSource() {
  let newest = 0;
  for (const source of SOURCES) {
    const path = join(ROOT, source);
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) continue;
    if (!stat.isDirectory()) {
      newest = Math.max(newest, stat.mtimeMs);
      continue;
    }
    for (const entry of readdirSync(path, { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs);
    }
  }
  return newest;
}

const built = statSync(BUNDLE, { throwIfNoEntry: false });
let fresh = built !== undefined && built.mtimeMs >= newestSource();
if (!fresh)
  fresh = await buildCli().then(
    () => true,
    () => false,
  );
if (fresh) {
  await import(pathToFileURL(BUNDLE).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../infra/local/invoke-store.ts');
  await import('../cli/main.ts');
}
