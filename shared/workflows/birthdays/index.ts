import { greetingHourProblem } from '../../domain/guardrails';
import { isLive } from '../../store/ingest';
import { getMember } from '../../store/members';
import type { Reaction, Workflow } from '../contract';
import { birthdaysSchema } from './config';
import { greetIfBirthdayToday } from './decisions';
import { templates } from './templates';

/** Birthday greetings at the configured hour in the member's zone (see `decisions.ts`). */
export const birthdays: Workflow<{ birthdays: typeof birthdaysSchema }> = {
  name: 'birthdays',
  sections: { birthdays: birthdaysSchema },
  templates,
  check(config, issue) {
    const problem = config.birthdays.enabled && greetingHourProblem(config.quietHours, config.birthdays.hour);
    if (problem) issue(['birthdays', 'hour'], problem);
  },
  kinds: { birthday: { label: { en: 'Birthday greetings', 'zh-CN': '生日祝福' }, cancelledOnLeave: true } },
  jobs: [
    {
      name: 'birthdays',
      cadence: { minute: '0', hour: '*' },
      why: 'on the hour: the birthday sweep decides the greetings due in the coming hour',
    },
  ],
  on: { 'member.joined': (db, community, event, now) => greetOnJoin(db, community, event, now) },
};

/**
 * A birthday that is today is greeted even on the day of joining: the sweep may have run before the member
 * was known (once: the greeting's id is per year). A join from history greets nobody.
 */
const greetOnJoin: Reaction = async (db, community, event, now) => {
  if (!community.birthdays.enabled) return 'disabled';
  if (!isLive(new Date(event.occurredAt), now)) return 'stale';
  const member = await getMember(db, community.id, event.memberId);
  if (!member) return 'ignored';
  return (await greetIfBirthdayToday(db, community, member, now)) ? 'queued' : 'none';
};
