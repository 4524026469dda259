import { SingleBar } from 'cli-progress';

/**
 * A progress bar on stderr while a long command works, drawn only on a terminal (cli-progress draws nothing
 * to a pipe), and none at all without a `format` (with --json, whose stdout is one value). Stopped, it leaves
 * no trace on the screen.
 */
export function progressBar(format: string | undefined, total: number): { update(done: number): void; stop(): void } {
  if (!format || !process.stderr.isTTY) return { update: () => {}, stop: () => {} };
  const bar = new SingleBar({ format, stream: process.stderr, clearOnComplete: true, hideCursor: true });
  bar.start(total, 0);
  return { update: (done) => bar.update(done), stop: () => bar.stop() };
}

/**
 * For work whose size is not known beforehand (one job's run, as one invocation of its function): how long it
 * has been going, on a terminal only (cli-progress redraws it on its own timer), gone when stopped.
 */
export function elapsedLine(format: string | undefined): { stop(): void } {
  if (!format || !process.stderr.isTTY) return { stop: () => {} };
  const bar = new SingleBar({
    format: `${format} {duration_formatted}`,
    stream: process.stderr,
    clearOnComplete: true,
  });
  bar.start(1, 0);
  return { stop: () => bar.stop() };
}
