import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { StackInfo } from '../../infra/local/stack-file';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');

/** A local stack started as a user starts it (`npm start`), in its own process. */
export interface RunningStack {
  info: StackInfo;
  /** stdout and stderr as they came. */
  output: () => string;
  stdout: () => string;
  stderr: () => string;
  /** Ctrl-C: a clean stop. */
  stop(): Promise<number | null>;
  /** SIGKILL to the whole process group: a crash, nothing is flushed or drained. */
  kill(): Promise<void>;
  /** The pids of the stack's processes (npm, and what it started), from the process group. */
  processes(): Promise<Array<{ pid: number; command: string }>>;
  /** SIGTERM to one of its processes alone, as systemd, Docker and CI send it; resolves when npm exits. */
  terminate(pid: number): Promise<number | null>;
}

/** `npm start` with a data folder, no schedules unless `env` turns them on; resolves once stack.json names it. */
export async function startStack(dataDir: string, env: Record<string, string> = {}): Promise<RunningStack> {
  const child: ChildProcess = spawn('npm', ['start'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HEARTH_DATA_DIR: dataDir, HEARTH_SCHEDULES: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => {
    out += d;
    stdout += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
    stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 30_000;
  while (!out.includes('Hearth local stack is running')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`stack did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const info = JSON.parse(await readFile(join(dataDir, 'stack.json'), 'utf8')) as StackInfo;
  return {
    info,
    output: () => out,
    stdout: () => stdout,
    stderr: () => stderr,
    async stop() {
      // SIGINT to the process group: what Ctrl-C in a terminal does.
      process.kill(-(child.pid as number), 'SIGINT');
      return exited;
    },
    async kill() {
      process.kill(-(child.pid as number), 'SIGKILL');
      await exited;
    },
    processes: () => groupProcesses(child.pid as number),
    async terminate(pid: number) {
      process.kill(pid, 'SIGTERM');
      return exited;
    },
  };
}

/** The processes of process group `pgid` (`ps`), without zombies. */
export async function groupProcesses(pgid: number): Promise<Array<{ pid: number; command: string }>> {
  const { stdout } = await run('ps', ['-eo', 'pid=,pgid=,stat=,args=']);
  return stdout
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null && Number(m[2]) === pgid && !m[3].startsWith('Z'))
    .map((m) => ({ pid: Number(m[1]), command: m[4] }));
}

/** Run `npx hearth …` against a data folder; resolves with exit code and output. */
export async function hearth(dataDir: string, ...args: string[]) {
  return hearthWith({}, dataDir, ...args);
}

/** `hearth` with more environment (a log level, say). */
export async function hearthWith(env: Record<string, string>, dataDir: string, ...args: string[]) {
  try {
    const { stdout, stderr } = await run('npx', ['hearth', ...args], {
      cwd: ROOT,
      env: { ...process.env, HEARTH_DATA_DIR: dataDir, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
