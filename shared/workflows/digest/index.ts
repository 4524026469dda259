import type { Workflow } from '../contract';
import { digestSchema, targetsSchema } from './config';

/**
 * The weekly KPI digest email to operators, and the monthly and quarterly
 * reviews, measured against the community's targets (see `decisions.ts` for
 * when they go, `report.ts` for what they say, `email.ts` for how, `delivery.ts` for the send).
 */
export const digest: Workflow<{ digest: typeof digestSchema; targets: typeof targetsSchema }> = {
  name: 'digest',
  sections: { digest: digestSchema, targets: targetsSchema },
  kinds: {
    // For operators, not members: no member's quiet hours or cap holds it; it is mailed, not posted.
    // A digest that could not be computed or mailed is parked as failed and raises an alarm in AWS.
    digest: {
      label: { en: 'Digests', 'zh-CN': '运营报告' },
      responsive: true,
      alarmWhenParked: true,
      delivered: true,
    },
  },
  jobs: [
    {
      name: 'digest',
      cadence: { minute: '0', hour: '*' },
      why: "on the hour, so each community's digest goes at its local weekday and hour",
    },
  ],
};
