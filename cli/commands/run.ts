import { LocalBus } from '../../infra/local/bus';
import { jobFunction, type LocalFunctions, localFunctions } from '../../infra/local/functions';
import type { DispatchReport } from '../../shared/workflows/dispatch';
import { JOBS } from '../../shared/workflows/jobs';
import { UsageError } from '../errors';
import { output } from '../output';
import { elapsedLine } from '../progress';
import type { Target } from '../target';

/** `run <job> [--at <ISO time>]`: one sweep as if it were that time. */
export async function runJob(target: Target, job: string | undefined, at: string | undefined, json: boolean) {
  if (!job || !JOBS.includes(job)) {
    throw new UsageError(`run needs a job, one of: ${JOBS.join(', ')}`);
  }
  const when = at ? new Date(at) : new Date();
  if (Number.isNaN(when.getTime())) throw new UsageError(`--at must be an ISO 8601 time, got "${at}"`);
  const fn = jobFunction(job);
  if (!fn) {
    output(json, { job, built: false, message: `run ${job}: not built yet` }, () => `run ${job}: not built yet`);
    process.exitCode = 1;
    return;
  }
  if (target.mode === 'aws') {
    // Locally a run delivers to the outboxes on disk; against AWS that would mark items sent that went nowhere.
    throw new UsageError(
      `run works on the local stack; in AWS the schedules run ${job} (invoke its function to run it now)`,
    );
  }
  let functions: LocalFunctions | undefined;
  const bus = new LocalBus(() => functions as LocalFunctions, target.dataDir);
  functions = localFunctions({ db: target.db, dataDir: target.dataDir, publisher: bus, clock: () => when });
  // Only an explicit --at makes it an as-of run; without it this is the scheduled run, started by hand.
  const working = elapsedLine(json ? undefined : `running ${job} …`);
  const report = await functions[fn]({ job, ...(at ? { at: when.toISOString() } : {}) }).finally(working.stop);
  await bus.drain();
  // A dispatcher run is bounded like the Lambda's; one that ran out of time says what to do about the rest.
  const more = (report as { outOfTime?: boolean }).outOfTime
    ? '\nout of time with items still due: they stay pending; run it again (the schedule would, next minute)'
    : '';
  output(json, { job, at: when.toISOString(), ...report }, () =>
    job === 'dispatch'
      ? `${job} at ${when.toISOString()}: ${describeDispatch(report as unknown as DispatchReport)}${more}`
      : `${job} at ${when.toISOString()}: ${JSON.stringify(report)}${more}`,
  );
}

/** A dispatcher run's report in words: what each count means, and what a run with nothing to do means. */
export function describeDispatch(report: DispatchReport): string {
  const parts = [
    `${report.sent} sent`,
    `${report.deferred} held back until later (quiet hours, the frequency cap)`,
    `${report.skipped} not to be sent (opted out, left, staff or a bot, too late, a dry run)`,
    `${report.retried} to be tried again`,
    `${report.failed} failed and parked (hearth outbox --status failed)`,
  ];
  const idle =
    report.sent + report.deferred + report.skipped + report.retried + report.failed === 0
      ? '\nnothing was due: a running stack dispatches every minute, so what you posted may have gone already (hearth outbox --status sent)'
      : '';
  return `${parts.join(', ')}; ${report.buckets} due-time buckets read${idle}`;
}
