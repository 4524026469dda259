import type { Workflow } from '../contract';
import { digestSchema, targetsSchema } from './config';

/**
 * The weekly KPI digest email to operators, measured against the community's
 * targets. Its sections are part of the config already; its job has no
 * schedule and no run until the digest itself is built.
 */
export const digest: Workflow<{ digest: typeof digestSchema; targets: typeof targetsSchema }> = {
  name: 'digest',
  sections: { digest: digestSchema, targets: targetsSchema },
  jobs: [{ name: 'digest' }],
};
