#!/usr/bin/env node
// The operator CLI: the bundle scripts/build-cli.mjs builds (`npm ci` does), rebuilt here when a file it was
// built from is newer than it or gone; without esbuild, the TypeScript sources through tsx.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BUNDLE, buildCli, INPUTS, ROOT } from '../scripts/build-cli.mjs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';

/** Whether the bundle is at least as new as every file it was built from (about 160 stats: milliseconds). */
function isFresh() {
  const built = statSync(BUNDLE, { throwIfNoEntry: false });
  if (!built) return false;
  try {
    const inputs = JSON.parse(readFileSync(INPUTS, 'utf8'));
    return inputs.every(
      (input) => (statSync(join(ROOT, input), { throwIfNoEntry: false })?.mtimeMs ?? Infinity) <= built.mtimeMs,
    );
  } catch {
    return false;
  }
}

const fresh =
  isFresh() ||
  (await buildCli().then(
    () => true,
    () => false,
  ));
if (fresh) {
  await import(pathToFileURL(BUNDLE).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../cli/bin.ts');
}
