import { render } from '../../domain/render';
import type { Workflow } from '../contract';
import { namedTextProblem } from '../texts';
import { countCompleted, countWelcomed } from './completion';
import { onboardingSchema } from './config';
import { onJoin } from './decisions';
import { STEP_VARIABLES, templates } from './templates';

/**
 * Onboarding: a welcome when a member joins, and a short drip of steps in the
 * days after (see `decisions.ts`).
 */
export const onboarding: Workflow<{ onboarding: typeof onboardingSchema }> = {
  name: 'onboarding',
  sections: { onboarding: onboardingSchema },
  templates,
  customTemplateVars: STEP_VARIABLES,
  check(config, issue, shipped) {
    // A step names a shipped drip text or the community's own, written in (or close to) its locale.
    config.onboarding.steps.forEach((step, i) => {
      const problem = namedTextProblem(config, step.template, shipped, {
        prefix: 'onboarding.',
        what: 'drip template',
      });
      if (problem) issue(['onboarding', 'steps', i, 'template'], problem);
    });
  },
  variables: {
    // Filled in only when the community says what it is for, and has a rules page.
    about: {
      value: ({ community, text }) => {
        const { about } = community.onboarding;
        return about ? render(text('about'), { about }) : '';
      },
    },
    rules: {
      value: ({ community, text }) => {
        const { rulesUrl } = community.onboarding;
        return rulesUrl ? render(text('rules'), { rulesUrl }) : '';
      },
    },
    rulesUrl: {
      anyTemplate: true,
      missing: (config) => (config.onboarding.rulesUrl ? undefined : 'onboarding.rulesUrl is not set'),
      value: ({ community }) => community.onboarding.rulesUrl,
    },
  },
  kinds: {
    // The member just joined: they are there, and waiting to be greeted.
    welcome: {
      label: { en: 'Welcomes', 'zh-CN': '欢迎消息' },
      responsive: true,
      cancelledOnLeave: true,
      // The drip's completion, for the digest (see `completion.ts`).
      afterSend: countWelcomed,
    },
    onboarding: {
      label: { en: 'Onboarding steps', 'zh-CN': '新人引导' },
      cancelledOnLeave: true,
      afterSend: countCompleted,
    },
  },
  jobs: [
    {
      name: 'onboarding',
      cadence: { minute: '10', hour: '*' },
      why: 'hourly, like the win-back sweep',
    },
  ],
  on: { 'member.joined': onJoin },
};
