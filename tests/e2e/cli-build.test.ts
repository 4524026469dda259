import { execFile } from 'node:child_process';
import { readFile, stat, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const BUNDLE = join(ROOT, '.cache', 'cli', 'hearth.mjs');
/** A data folder no test writes: these commands fail before they open it. */
const EMPTY = join(tmpdir(), 'hearth-cli-usage-unused');

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
    expect(stdout).toContain('Usage: hearth [options] [command]');
    expect(after.mtimeMs).toBeGreaterThan(touched.getTime());
    expect(again.stdout).toBe(stdout);
    expect(untouched.mtimeMs).toBe(after.mtimeMs);
  }, 60_000);

  /** `hearth …` on an empty data folder: exit code and both streams, whatever the exit. */
  const hearth = (...args: string[]) =>
    run('node', ['bin/hearth.js', ...args], { cwd: ROOT, env: { ...process.env, HEARTH_DATA_DIR: EMPTY } }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );

  it('says its version, and helps with every command', async () => {
    // Act
    const [version, helpRun, runHelp, groupHelp] = await Promise.all([
      hearth('--version'),
      hearth('help', 'run'),
      hearth('run', '--help'),
      hearth('outbox', '--help'),
    ]);

    // Assess
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(version).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
    expect(helpRun.code).toBe(0);
    expect(helpRun.stdout).toContain('Usage: hearth run [options] <job>');
    // The jobs come from the registry, read for this help only.
    expect(helpRun.stdout).toMatch(/Jobs: dispatch, .*digest/);
    expect(runHelp.stdout).toBe(helpRun.stdout);
    expect(groupHelp.stdout).toMatch(/list \[options\][\s\S]*retry <id>/);
  }, 60_000);

  it.each([
    ['a misspelt command', ['comunity', 'list'], /unknown command 'comunity'\n\(Did you mean community\?\)/],
    ['an unknown option', ['outbox', '--at', 'x'], /unknown option '--at'/],
    ['an extra argument', ['community', 'show', 'a', 'b'], /too many arguments for 'show'/],
    ['a missing argument', ['member', 'show', 'demo'], /missing required argument 'member'/],
    ['a group without its command', ['member'], /a subcommand is needed/],
  ])(
    'refuses %s: exit 2, the reason on stderr, and with --json on stdout',
    async (_what, args, reason) => {
      // Act
      const [plain, json] = await Promise.all([hearth(...args), hearth(...args, '--json')]);

      // Assess
      expect(plain.code).toBe(2);
      expect(plain.stderr).toMatch(reason);
      expect(plain.stdout).not.toMatch(reason);
      expect(json.code).toBe(2);
      expect(JSON.parse(json.stdout)).toEqual({ error: 'usage', message: expect.stringMatching(reason) });
    },
    60_000,
  );
});
