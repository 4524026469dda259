import { waitsPastMidnight } from '../../domain/guardrails';
import type { Workflow } from '../contract';
import { namedTextProblem } from '../texts';
import { challengesSchema } from './challenges';
import { takeCheckIn } from './checkins';
import { calendarSchema, entryHour } from './config';
import { forgetCheckInTimes } from './store';
import { templates } from './templates';

/**
 * The operations calendar: the community's scheduled posts, one-off or recurring, posted in its channel at
 * their local time (`decisions.ts` plans them, `occurrences.ts` reads the recurrence), and its check-in
 * challenges (`challenges.ts`: the rules, `checkins.ts`: a member's check-in, `store.ts`: their days).
 */
export const calendar: Workflow<{ calendar: typeof calendarSchema; challenges: typeof challengesSchema }> = {
  name: 'calendar',
  sections: { calendar: calendarSchema, challenges: challengesSchema },
  templates,
  customTemplateVars: ['community'],
  commands: takeCheckIn,
  memberCommands: { checkin: "Check in to today's challenge" },
  // The days checked in are counts and stay; the time of day of each check-in goes.
  async forget(db, community, member) {
    const erased: string[] = [];
    for (const challenge of community.challenges) {
      const times = await forgetCheckInTimes(db, community.id, challenge.id, member.id);
      if (times) erased.push(`times of ${times} check-ins in ${challenge.id}`);
    }
    return erased;
  },
  check(config, issue, shipped) {
    const entryIds = new Set(config.calendar.map((entry) => entry.id));
    config.challenges.forEach((challenge, i) => {
      const at = (field: string) => ['challenges', i, field];
      // A challenge's prompts are posts under its id: an entry of the same id would share their outbox ids.
      if (entryIds.has(challenge.id)) issue(at('id'), `is the id of a calendar entry too`);
      const problem = namedTextProblem(config, challenge.template, shipped, {
        prefix: 'challenge',
        what: 'prompt text',
      });
      if (problem) issue(at('template'), problem);
      if (challenge.keyword?.startsWith('/')) issue(at('keyword'), 'is a word or phrase; /checkin always checks in');
      if (waitsPastMidnight(config.quietHours, challenge.hour)) {
        const q = config.quietHours;
        issue(at('hour'), `is in quiet hours (${q.start}–${q.end}): the prompt could not go on its day`);
      }
    });
    config.calendar.forEach((entry, i) => {
      const at = (field: string) => ['calendar', i, field];
      const problem = namedTextProblem(config, entry.template, shipped, { prefix: 'calendar', what: 'calendar text' });
      if (problem) issue(at('template'), problem);
      if (entry.at && entry.rrule) issue(at('rrule'), 'an entry is one post (at) or a recurrence (rrule), not both');
      if (!entry.at && !entry.rrule) issue(at('at'), 'an entry needs a local date-time (at) or a recurrence (rrule)');
      if (entry.rrule && !entry.start) issue(at('start'), 'a recurrence needs the day it applies from (start)');
      if (entry.at && (entry.start || entry.until || entry.skip.length))
        issue(at('at'), 'start, skip and until belong to a recurrence, not to one post');
      if (entry.start && entry.until && entry.until < entry.start) issue(at('until'), 'must not be before start');
      if (entry.reminders.length && !entry.at) issue(at('reminders'), 'reminders belong to one post (at), an event');
      if (entry.reminderTemplate) {
        const reminderProblem = namedTextProblem(config, entry.reminderTemplate, shipped, {
          prefix: 'calendar',
          what: 'calendar text',
        });
        if (reminderProblem) issue(at('reminderTemplate'), reminderProblem);
      }
      // A post held by quiet hours past midnight would miss its day, and a post goes only on its day.
      const hour = entryHour(entry);
      if (hour !== undefined && waitsPastMidnight(config.quietHours, hour)) {
        const q = config.quietHours;
        issue(
          at(entry.at ? 'at' : 'rrule'),
          `posts at ${hour}:00-${hour}:59, in quiet hours (${q.start}–${q.end}): it could not go on its day`,
        );
      }
    });
  },
  kinds: {
    // A post to the channel: no member to cap; it waits out the community's quiet hours.
    // Its replies, reactions and the channel's next 24 h are counted for the digest's calendar section.
    post: {
      label: { en: 'Scheduled posts', 'zh-CN': '定时发布' },
      watched: (config) => config.calendar.length > 0 || config.challenges.length > 0,
    },
    // The answer to a member's check-in: they asked, so it goes whatever the hour and counts against no cap.
    checkin: { label: { en: 'Check-in answers', 'zh-CN': '打卡回复' }, responsive: true, answer: true },
  },
  jobs: [
    {
      name: 'calendar',
      cadence: { minute: '50', hour: '*' },
      why: 'at 50 past each hour, so every post of the next hour is in the outbox, due at its minute, before it starts',
    },
  ],
};
