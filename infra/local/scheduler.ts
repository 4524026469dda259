import { logger } from '../../shared/runtime/observability';
import { SCHEDULES, type ScheduleDefinition, scheduleFiresAt } from '../topology';
import type { LocalFunctions } from './functions';

/**
 * The in-process stand-in for EventBridge Scheduler: at each UTC minute
 * boundary it invokes the targets of the SCHEDULES that fire then, with the
 * same `{ job }` input the CDK schedules send. Unlike a deployed schedule, a
 * local stack stops and starts: at start it also runs the schedules that fire
 * every minute (the dispatcher) once, so what fell due while it was stopped
 * goes out now rather than at the next minute. The hourly sweeps need no such
 * help: each starts from its mark and catches up at its next run.
 */
export class LocalScheduler {
  private timer: NodeJS.Timeout | undefined;
  private readonly running = new Set<Promise<unknown>>();

  constructor(private readonly functions: LocalFunctions) {}

  start(): void {
    for (const schedule of SCHEDULES) if (firesEveryMinute(schedule.cron)) this.invoke(schedule);
    this.wait();
  }

  private wait(): void {
    const msToNextMinute = 60_000 - (Date.now() % 60_000);
    this.timer = setTimeout(() => {
      this.tick(new Date(Math.round(Date.now() / 60_000) * 60_000));
      this.wait();
    }, msToNextMinute);
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    await Promise.allSettled([...this.running]);
  }

  private tick(minute: Date): void {
    for (const schedule of SCHEDULES) if (scheduleFiresAt(schedule.cron, minute)) this.invoke(schedule);
  }

  private invoke(schedule: ScheduleDefinition): void {
    const run = this.functions[schedule.target]({ job: schedule.job })
      .catch((error: unknown) => logger.error('scheduled job failed', { job: schedule.job, error: error as Error }))
      .finally(() => this.running.delete(run));
    this.running.add(run);
  }
}

const firesEveryMinute = (cron: ScheduleDefinition['cron']): boolean => cron.minute === '*' && cron.hour === '*';
