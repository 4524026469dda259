/**
 * The jobs Hearth runs on a schedule, and how often: part of the runtime
 * contract (`hearth run <job>` takes these names). Which function runs a job
 * is the deployment's business (`infra/topology.ts`).
 */

/** When a job runs, as cron fields in UTC; each is `*`, `*\/n` or a number. */
export interface Cadence {
  readonly minute: string;
  readonly hour: string;
}

/** A job and its cadence; a job not built yet has none. */
export interface JobDefinition {
  readonly name: string;
  readonly cadence?: Cadence;
  /** Why it runs then. */
  readonly why?: string;
}

export const JOB_DEFINITIONS = [
  { name: 'dispatch', cadence: { minute: '*', hour: '*' }, why: 'every minute: due outbox items go out' },
  {
    name: 'birthdays',
    cadence: { minute: '0', hour: '*' },
    why: 'on the hour: the birthday sweep decides the greetings due in the coming hour',
  },
  {
    name: 'winback',
    cadence: { minute: '5', hour: '*' },
    why: "hourly, so each community's new local day is decided within the hour after its midnight",
  },
  { name: 'onboarding', cadence: { minute: '10', hour: '*' }, why: 'hourly, like the win-back sweep' },
  { name: 'digest' },
] as const satisfies readonly JobDefinition[];

/** Jobs that `hearth run <job>` and the schedules can start. */
export const JOBS = JOB_DEFINITIONS.map((job) => job.name);
export type JobName = (typeof JOB_DEFINITIONS)[number]['name'];
