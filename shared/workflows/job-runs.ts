import { jobs as birthdays } from './birthdays/jobs';
import { jobs as calendar } from './calendar/jobs';
import type { JobRun, JobRuns } from './contract';
import { jobs as digest } from './digest/jobs';
import { jobs as occasions } from './occasions/jobs';
import { jobs as onboarding } from './onboarding/jobs';
import { jobs as referrals } from './referrals/jobs';
import { jobs as standing } from './standing/jobs';
import { jobs as winback } from './winback/jobs';

/**
 * The bodies of the workflows' scheduled jobs, one line per workflow that has jobs (its `jobs.ts`); the jobs
 * themselves, with their cadences, are declared in the workflow's `index.ts` and listed by `registry.ts`.
 * Only the sweeps handler (`sweeps-handler.ts`) and the CLI import this module, so the code a job alone uses
 * stays out of the webhook's, the lifecycle's and the dispatcher's bundles (tests/unit/bundle-contents.test.ts).
 * tests/unit/workflow-registry.test.ts checks that every declared job has exactly one body here.
 */
export const JOB_RUNS_BY_WORKFLOW: Readonly<Record<string, JobRuns>> = {
  onboarding,
  birthdays,
  winback,
  occasions,
  referrals,
  standing,
  digest,
  calendar,
};

let runs: Map<string, JobRun> | undefined;

/** Every job body by job name; a name two workflows both give a body is a mistake caught at first use. */
export function jobRuns(): ReadonlyMap<string, JobRun> {
  if (runs) return runs;
  const all = new Map<string, JobRun>();
  const owner = new Map<string, string>();
  for (const [workflow, bodies] of Object.entries(JOB_RUNS_BY_WORKFLOW)) {
    for (const [job, run] of Object.entries(bodies)) {
      if (owner.has(job)) throw new Error(`job "${job}" has a body in ${owner.get(job)} and in ${workflow}`);
      owner.set(job, workflow);
      all.set(job, run);
    }
  }
  runs = all;
  return all;
}

/** The body of one job; throws for a job no workflow gives one. */
export function jobRun(job: string): JobRun {
  const run = jobRuns().get(job);
  if (!run) throw new Error(`sweeps: no sweep for job ${job}`);
  return run;
}
