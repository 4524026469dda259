/**
 * The local stack in a child process, for benchmarks: its own data folder,
 * a port it picks itself (found, with its engine, in `stack.json` as the CLI
 * finds it), and its own process group (so that npx, tsx and node stop
 * together).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runningStack, type StackInfo } from '../infra/local/stack-file';
import { ROOT, sleep } from './lib';

const START_TIMEOUT_MS = 30_000;

export class StackChild {
  private constructor(
    /** Where it runs, once started: its webhooks, engine and table. */
    readonly info: StackInfo,
    readonly dataDir: string,
    private readonly child: ChildProcess,
    private readonly output: { text: string },
  ) {}

  /** The webhook port. */
  get port(): number {
    return Number(new URL(this.info.webhookBaseUrl).port);
  }

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
   * its `stack.json` names it. `cpuProfDir` runs it under `node --cpu-prof` (which
   * NODE_OPTIONS does not allow).
   */
  static async start(options: { cpuProfDir?: string } = {}): Promise<StackChild> {
    const dataDir = await mkdtemp(join(tmpdir(), 'hearth-bench-stack-'));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: '0',
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
    const stop = () => StackChild.stopChild(child, dataDir);

    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) {
        await stop();
        throw new Error(`the stack exited early (${child.exitCode ?? child.signalCode}):\n${output.text}`);
      }
      const info = await runningStack(dataDir);
      if (info) return new StackChild(info, dataDir, child, output);
      await sleep(100);
    }
    await stop();
    throw new Error(`the stack did not start within ${START_TIMEOUT_MS} ms:\n${output.text}`);
  }

  /** Stop the stack (SIGTERM to its group, SIGKILL after 5 s) and remove its data. */
  stop(): Promise<void> {
    return StackChild.stopChild(this.child, this.dataDir);
  }

  private static async stopChild(child: ChildProcess, dataDir: string): Promise<void> {
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
    await rm(dataDir, { recursive: true, force: true });
  }
}
