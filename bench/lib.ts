/**
 * Small helpers shared by the benchmarks: a closed-loop load runner bounded in
 * time, percentiles, free ports, results files.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const RESULTS_DIR = join(ROOT, 'bench', 'results');

/** What a closed-loop run measured inside its measurement window. */
export interface LoadResult {
  /** Operations completed inside the window. */
  ops: number;
  /** Window length in seconds. */
  seconds: number;
  opsPerSecond: number;
  /** Latency in ms of each operation completed inside the window. */
  latenciesMs: number[];
  /** Failed operations over the whole run (warm-up included). */
  errors: number;
  /** The first few failures, for the report. */
  errorSamples: string[];
}

export interface LoadOptions {
  concurrency: number;
  warmupMs: number;
  measureMs: number;
}

/**
 * Run `op` from `concurrency` workers back to back until warm-up plus
 * measurement have passed; count what completes inside the measurement window.
 * `op` resolves to an error description, or undefined on success.
 */
export async function closedLoop(
  options: LoadOptions,
  op: (worker: number, seq: number) => Promise<string | undefined>,
): Promise<LoadResult> {
  const start = performance.now();
  const windowStart = start + options.warmupMs;
  const windowEnd = windowStart + options.measureMs;
  const latenciesMs: number[] = [];
  const errorSamples: string[] = [];
  let errors = 0;
  let ops = 0;

  const worker = async (id: number) => {
    let seq = 0;
    while (performance.now() < windowEnd) {
      const begin = performance.now();
      let failure: string | undefined;
      try {
        failure = await op(id, seq++);
      } catch (error) {
        failure = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      }
      const end = performance.now();
      if (failure !== undefined) {
        errors++;
        if (errorSamples.length < 5) errorSamples.push(failure);
        continue;
      }
      if (end >= windowStart && end <= windowEnd) {
        ops++;
        latenciesMs.push(end - begin);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, (_, i) => worker(i)));
  const seconds = options.measureMs / 1000;
  return { ops, seconds, opsPerSecond: ops / seconds, latenciesMs, errors, errorSamples };
}

/** Nearest-rank percentile of `values` (0 < p <= 100). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = values.slice().sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export const round = (value: number, digits = 1): number => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

/** A TCP port that was free a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The machine the numbers come from. */
export function host() {
  const cpu = cpus();
  return {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: cpu.length,
    cpuModel: cpu[0]?.model ?? 'unknown',
    loadavg: loadavg().map((l) => round(l, 2)),
  };
}

/** Write a results file under bench/results/ (pretty JSON, newline-terminated). */
export async function writeResults(name: string, data: unknown): Promise<string> {
  const file = join(RESULTS_DIR, name);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(data, null, 2)}\n`);
  return file;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
