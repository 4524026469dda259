import type { JobRuns } from '../contract';
import { calendarSweep } from './decisions';

/** The bodies of this workflow's scheduled jobs (declared in `index.ts`), by job name: see `../job-runs.ts`. */
export const jobs: JobRuns = {
  calendar: calendarSweep,
};
