/**
 * The operator CLI, built: one esbuild bundle of `cli/` and what it imports
 * (`.cache/cli/hearth.mjs`), so that `npx hearth` starts without compiling
 * TypeScript on every run (about 0.45 s against 1.5 s through tsx). `npm ci`
 * builds it (`prepare`); `bin/hearth.js` rebuilds it when a source is newer,
 * and falls back to tsx when esbuild is not installed.
 *
 * Packages with native parts or files of their own (dynalite and its
 * LevelDB, which run in a worker) stay outside the bundle; the worker file is
 * copied beside it, where `infra/local/dynamo.ts` looks for it.
 *
 * Usage: node scripts/build-cli.mjs  (prints nothing; exit 1 with the error)
 */
import { copyFile, mkdir, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BUNDLE = join(ROOT, '.cache', 'cli', 'hearth.mjs');
/** What the bundle is built from: a file newer than it in these makes it stale. */
export const SOURCES = ['cli', 'shared', 'infra/local', 'examples', 'package-lock.json'];

/** Build the bundle (to a temporary file, renamed into place, so concurrent builds never expose half a file). */
export async function buildCli() {
  const { build } = await import('esbuild');
  await mkdir(dirname(BUNDLE), { recursive: true });
  const temporary = `${BUNDLE}.${process.pid}.tmp`;
  await build({
    stdin: {
      // First the invocation store the local functions run in, before anything loads Powertools.
      contents: "import './infra/local/invoke-store.ts';\nimport './cli/main.ts';",
      resolveDir: ROOT,
      loader: 'ts',
      sourcefile: 'hearth-cli.ts',
    },
    absWorkingDir: ROOT,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outfile: temporary,
    external: ['dynalite', 'level', 'classic-level', 'esbuild', 'tsx'],
    // Some dependencies still call `require`, which an ESM bundle does not have.
    banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
    logLevel: 'silent',
  });
  await copyFile(join(ROOT, 'infra', 'local', 'dynalite-worker.mjs'), join(dirname(BUNDLE), 'dynalite-worker.mjs'));
  await rename(temporary, BUNDLE);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildCli().catch((error) => {
    console.error(`build-cli: ${error.message}`);
    process.exit(1);
  });
}
