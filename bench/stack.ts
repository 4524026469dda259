/**
 * The local stack in a child process, for benchmarks: its own port, data
 * folder and process group (so that npx, tsx and node stop together), and
 * the CLI run against it.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { freePort, ROOT, sleep } from './lib';

const START_TIMEOUT_MS = 30_000;

export class StackChild {
  private constructor(
    readonly port: number,
    readonly dataDir: string,
    private readonly child: ChildProcess,
    private readonly output: { text: string },
  ) {}

  /** The child's process group, for CPU accounting. */
  get pgid(): number | undefined {
    return this.child.pid;
  }

  /** The tail of what the stack printed. */
  logs(): string {
    return this.output.text;
  }

  /**
   * Start `npx tsx infra/local/main.ts` with schedules off; resolves once
   * /health answers. `cpuProfDir` runs it under `node --cpu-prof` (which
   * NODE_OPTIONS does not allow).
   */
  static async start(options: { cpuProfDir?: string } = {}): Promise<StackChild> {
    const dataDir = await mkdtemp(join(tmpdir(), 'hearth-bench-stack-'));
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(port),
      HEARTH_DATA_DIR: dataDir,
      HEARTH_SCHEDULES: 'off',
      POWERTOOLS_LOG_LEVEL: 'WARN',
      POWERTOOLS_METRICS_DISABLED: 'true',
    };
    const profDir = options.cpuProfDir ? resolve(options.cpuProfDir) : undefined;
    const [command, args] = profDir
      ? [process.execPath, ['--cpu-prof', `--cpu-prof-dir=${profDir}`, '--import', 'tsx', 'infra/local/main.ts']]
      : ['npx', ['tsx', 'infra/local/main.ts']];
    const child = spawn(command, args, { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const output = { text: '' };
    const keep = (chunk: Buffer) => {
      output.text = (output.text + chunk.toString('utf8')).slice(-20_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const stack = new StackChild(port, dataDir, child, output);

    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) {
        await stack.stop();
        throw new Error(`the stack exited early (${child.exitCode ?? child.signalCode}):\n${output.text}`);
      }
      if ((await status(port, '/health').catch(() => 0)) === 200) return stack;
      await sleep(100);
    }
    await stack.stop();
    throw new Error(`the stack did not answer /health within ${START_TIMEOUT_MS} ms:\n${output.text}`);
  }

  /** Run `hearth <args>` against this stack. */
  async hearth(...args: string[]): Promise<string> {
    const { stdout } = await promisify(execFile)('npx', ['tsx', 'cli/main.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, HEARTH_DATA_DIR: this.dataDir },
    });
    return stdout;
  }

  /** Stop the stack (SIGTERM to its group, SIGKILL after 5 s) and remove its data. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child.pid && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((done) => child.once('exit', () => done()));
      try {
        process.kill(-child.pid, 'SIGTERM');
        const timedOut = await Promise.race([exited.then(() => false), sleep(5_000).then(() => true)]);
        if (timedOut) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await rm(this.dataDir, { recursive: true, force: true });
  }
}

/** The status of a GET. */
function status(port: number, path: string): Promise<number> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', timeout: 1_000 }, (res) => {
      res.resume();
      res.on('end', () => done(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', fail);
    req.end();
  });
}
