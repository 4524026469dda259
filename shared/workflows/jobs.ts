import { WORKFLOW_JOBS } from './registry';

/**
 * The jobs Hearth runs on a schedule, and how often: part of the runtime
 * contract (`hearth run <job>` takes these names). The dispatcher's is the
 * machinery's own; every other comes from the workflow that owns it. Which
 * function runs a job is the deployment's business (`infra/topology.ts`).
 */

/** When a job runs, as cron fields in UTC; each is `*`, `*\/n` or a number. */
export interface Cadence {
  readonly minute: string;
  readonly hour: string;
}

/** A job and its cadence; a job not built yet has none. */
export interface JobDefinition {
  readonly name: string;
  /** `dispatch` delivers the outbox (the dispatcher function); `sweep` is a workflow's (the sweeps function). */
  readonly runs: 'dispatch' | 'sweep';
  readonly cadence?: Cadence;
  /** Why it runs then. */
  readonly why?: string;
}

export const JOB_DEFINITIONS: readonly JobDefinition[] = [
  {
    name: 'dispatch',
    runs: 'dispatch',
    cadence: { minute: '*', hour: '*' },
    why: 'every minute: due outbox items go out',
  },
  ...WORKFLOW_JOBS.map(({ name, cadence, why }) => ({ name, runs: 'sweep' as const, cadence, why })),
];

/** Jobs that `hearth run <job>` and the schedules can start. */
export const JOBS: readonly string[] = JOB_DEFINITIONS.map((job) => job.name);
