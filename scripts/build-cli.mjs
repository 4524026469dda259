/**
 * The operator CLI, built: an esbuild bundle of `cli/` and what it imports
 * (`.cache/cli/hearth.mjs`, and a chunk per command under `chunks/`, loaded
 * only when that command runs), so that `npx hearth` starts without compiling
 * TypeScript on every run (about 0.45 s against 1.5 s through tsx). `npm ci`
 * builds it (`prepare`); `bin/hearth.js` rebuilds it when one of the files it
 * was built from (esbuild's list of them, kept beside it in `inputs.json`, and
 * `package-lock.json`) is newer or gone, and falls back to tsx when esbuild is
 * not installed.
 *
 * Packages with native parts or files of their own (dynalite and its
 * LevelDB, which run in a worker) stay outside the bundle; the worker's files
 * are copied beside it and its chunks, where `infra/local/dynamo.ts` looks for them.
 *
 * Usage: node scripts/build-cli.mjs  (prints nothing; exit 1 with the error)
 */
import { copyFile, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BUNDLE = join(ROOT, '.cache', 'cli', 'hearth.mjs');
/** The files the bundle was built from, relative to the root: one newer than it, or gone, makes it stale. */
export const INPUTS = join(dirname(BUNDLE), 'inputs.json');

/** The entry; the commands, imported only when they run, become chunks of their own. */
const ENTRY = 'cli/bin.ts';

/**
 * Build the bundle. Every file is written to a temporary name and renamed into place, chunks (named by their
 * content) before the entry, so a concurrent run never imports half a file or an entry whose chunks are missing.
 */
export async function buildCli() {
  const { build } = await import('esbuild');
  const outdir = dirname(BUNDLE);
  await mkdir(join(outdir, 'chunks'), { recursive: true });
  const { metafile, outputFiles } = await build({
    entryPoints: { hearth: join(ROOT, ENTRY) },
    absWorkingDir: ROOT,
    bundle: true,
    splitting: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outdir,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    // The packages' ES modules, where they have them: the SDK's lazily import()s the credential providers its CommonJS builds require.
    mainFields: ['module', 'main'],
    write: false,
    external: ['dynalite', 'level', 'classic-level', 'esbuild', 'tsx'],
    // Some dependencies still call `require`, which an ESM bundle does not have.
    banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
    logLevel: 'silent',
    metafile: true,
  });
  const entry = outputFiles.find((file) => file.path === BUNDLE);
  for (const file of [...outputFiles.filter((f) => f !== entry), entry]) {
    const temporary = `${file.path}.${process.pid}.tmp`;
    await writeFile(temporary, file.contents);
    await rename(temporary, file.path);
  }
  await pruneChunks(join(outdir, 'chunks'), new Set(outputFiles.map((file) => file.path)));
  // Our sources (the packages are pinned by the lockfile), known only once esbuild has followed the imports.
  const sources = Object.keys(metafile.inputs).filter((path) => !path.includes('node_modules'));
  const workerFiles = WORKER_FILES.map((name) => `infra/local/${name}`);
  await writeFile(`${INPUTS}.${process.pid}.tmp`, JSON.stringify([...sources, ...workerFiles, 'package-lock.json']));
  await rename(`${INPUTS}.${process.pid}.tmp`, INPUTS);
  // Beside whichever file holds infra/local/dynamo.ts, which starts it from its own folder.
  for (const folder of [outdir, join(outdir, 'chunks')]) {
    for (const name of WORKER_FILES) await copyFile(join(ROOT, 'infra', 'local', name), join(folder, name));
  }
}

/**
 * The engine's worker and what it imports: plain JS outside the bundle, copied beside it, and listed among
 * the inputs so that a change to them rebuilds it.
 */
const WORKER_FILES = ['dynalite-worker.mjs', 'closing-iterators.mjs'];

/** A CLI started before a rebuild may still import its old chunks: those go once they are an hour old. */
async function pruneChunks(folder, current) {
  const hourAgo = Date.now() - 3_600_000;
  for (const name of await readdir(folder)) {
    const path = join(folder, name);
    if (!name.endsWith('.mjs') || WORKER_FILES.includes(name) || current.has(path)) continue;
    const info = await stat(path).catch(() => undefined);
    if (info && info.mtimeMs < hourAgo) await rm(path, { force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildCli().catch((error) => {
    console.error(`build-cli: ${error.message}`);
    process.exit(1);
  });
}
