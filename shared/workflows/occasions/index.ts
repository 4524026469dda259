import { greetingHourProblem } from '../../domain/guardrails';
import { templateVariables } from '../../domain/render';
import type { Workflow } from '../contract';
import { communityText, namedTextProblem } from '../texts';
import { anniversariesSchema, holidaysSchema } from './config';
import { templates } from './templates';

/** Membership anniversaries and the community's own holidays (see `decisions.ts`). */
export const occasions: Workflow<{ anniversaries: typeof anniversariesSchema; holidays: typeof holidaysSchema }> = {
  name: 'occasions',
  sections: { anniversaries: anniversariesSchema, holidays: holidaysSchema },
  templates,
  check(config, issue, shipped) {
    const { anniversaries, quietHours } = config;
    const problem = anniversaries.enabled && greetingHourProblem(quietHours, anniversaries.hour);
    if (problem) issue(['anniversaries', 'hour'], problem);
    const seen = new Set<string>();
    config.holidays.forEach((holiday, i) => {
      const at = (field: string) => ['holidays', i, field];
      const written = communityText(config, holiday.template);
      const problem = namedTextProblem(config, holiday.template, shipped, { prefix: 'holiday', what: 'holiday text' });
      if (problem) {
        issue(at('template'), problem);
      } else if (holiday.audience === 'channel' && written && templateVariables(written).includes('name')) {
        issue(at('template'), 'a post to the channel greets no one member: its text cannot use {name}');
      }
      const greetingProblem = greetingHourProblem(quietHours, holiday.hour);
      if (greetingProblem) issue(at('hour'), greetingProblem);
      const key = `${holiday.date} ${holiday.template}`;
      if (seen.has(key)) issue(at('date'), `holiday ${holiday.template} on ${holiday.date} is listed twice`);
      seen.add(key);
    });
  },
  kinds: {
    anniversary: { label: { en: 'Anniversary greetings', 'zh-CN': '周年祝福' }, cancelledOnLeave: true },
    holiday: { label: { en: 'Holiday greetings', 'zh-CN': '节日祝福' }, cancelledOnLeave: true },
  },
  jobs: [
    {
      name: 'anniversaries',
      cadence: { minute: '0', hour: '*' },
      why: 'on the hour, like the birthday sweep: it decides the anniversaries due in the coming hour',
    },
    {
      name: 'holidays',
      cadence: { minute: '15', hour: '*' },
      why: "hourly, so each community's new local day is decided within the hour after its midnight; a holiday two days ahead",
    },
  ],
};
