/**
 * The operator CLI, built: one esbuild bundle of `cli/` and what it imports
 * (`.cache/cli/hearth.mjs`), so that `npx hearth` starts without compiling
 * TypeScript on every run (about 0.45 s against 1.5 s through tsx). `npm ci`
 * builds it (`prepare`); `bin/hearth.js` rebuilds it when one of the files it
 * was built from (esbuild's list of them, kept beside it in `inputs.json`, and
 * `package-lock.json`) is newer or gone, and falls back to tsx when esbuild is
 * not installed.
 *
 * Packages with native parts or files of their own (dynalite and its
 * LevelDB, which run in a worker) stay outside the bundle; the worker file is
 * copied beside it, where `infra/local/dynamo.ts` looks for it.
 *
 * Usage: node scripts/build-cli.mjs  (prints nothing; exit 1 with the error)
 */
import { copyFile, mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BUNDLE = join(ROOT, '.cache', 'cli', 'hearth.mjs');
/** The files the bundle was built from, relative to the root: one newer than it, or gone, makes it stale. */
export const INPUTS = join(dirname(BUNDLE), 'inputs.json');

/** The name of the bundle's entry (the two imports below), which is no file. */
const ENTRY = 'hearth-cli.ts';

/** Build the bundle (to a temporary file, renamed into place, so concurrent builds never expose half a file). */
export async function buildCli() {
  const { build } = await import('esbuild');
  await mkdir(dirname(BUNDLE), { recursive: true });
  const temporary = `${BUNDLE}.${process.pid}.tmp`;
  const { metafile } = await build({
    stdin: {
      // First the invocation store the local functions run in, before anything loads Powertools.
      contents: "import './infra/local/invoke-store.ts';\nimport './cli/main.ts';",
      resolveDir: ROOT,
      loader: 'ts',
      sourcefile: ENTRY,
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
    metafile: true,
  });
  // Our sources (the packages are pinned by the lockfile), known only once esbuild has followed the imports.
  const sources = Object.keys(metafile.inputs).filter((path) => !path.includes('node_modules') && path !== ENTRY);
  await writeFile(`${INPUTS}.${process.pid}.tmp`, JSON.stringify([...sources, 'package-lock.json']));
  await rename(`${INPUTS}.${process.pid}.tmp`, INPUTS);
  await copyFile(join(ROOT, 'infra', 'local', 'dynalite-worker.mjs'), join(dirname(BUNDLE), 'dynalite-worker.mjs'));
  await rename(temporary, BUNDLE);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildCli().catch((error) => {
    console.error(`build-cli: ${error.message}`);
    process.exit(1);
  });
}
