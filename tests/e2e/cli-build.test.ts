import { execFile } from 'node:child_process';
import { stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const BUNDLE = join(ROOT, '.cache', 'cli', 'hearth.mjs');

describe('The operator CLI, built', () => {
  it('runs from its bundle, and rebuilds it when a source is newer', async () => {
    // Prepare: a bundle built a minute ago, and a source touched since (its text unchanged).
    await run('node', ['bin/hearth.js', '--help'], { cwd: ROOT });
    const now = Date.now();
    const [built, touched] = [new Date(now - 60_000), new Date(now - 30_000)];
    await utimes(BUNDLE, built, built);
    // A file outside cli/, shared/ and infra/local/ that the CLI imports.
    await utimes(join(ROOT, 'infra', 'topology.ts'), touched, touched);

    // Act
    const { stdout } = await run('node', ['bin/hearth.js', '--help'], { cwd: ROOT });
    const after = await stat(BUNDLE);
    const again = await run('node', ['bin/hearth.js', '--help'], { cwd: ROOT });
    const untouched = await stat(BUNDLE);

    // Assess
    expect(stdout).toContain('usage: hearth <command>');
    expect(after.mtimeMs).toBeGreaterThan(touched.getTime());
    expect(again.stdout).toBe(stdout);
    expect(untouched.mtimeMs).toBe(after.mtimeMs);
  }, 60_000);
});
