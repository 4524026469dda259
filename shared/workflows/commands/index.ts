import { render } from '../../domain/render';
import { memberTotals } from '../../store/members';
import type { Workflow } from '../contract';
import { pointsOf } from './points';
import { templates } from './templates';

/**
 * Member commands (`/birthday`, `/timezone`, `/optout`, `/optin`, `/invite`,
 * `/points`, `/help`): each is applied at once, and answered through the
 * outbox (see `decisions.ts`).
 */
export const commands: Workflow = {
  name: 'commands',
  templates,
  kinds: {
    reply: {
      // The member just asked: they are waiting for the answer, whatever the hour, staff or opted out.
      responsive: true,
      answer: true,
      async vars({ db, item, text }, used) {
        const vars: Record<string, string> = {};
        if (used.has('link'))
          vars.link = item.vars.url ? render(text('reply.invite.link'), { url: item.vars.url }) : '';
        // Points are counted when the answer is sent, not when `/points` was asked.
        if (used.has('points')) {
          const totals = await memberTotals(db, item.communityId, item.memberId);
          vars.points = String(pointsOf(totals));
          for (const key of ['messages', 'replies', 'reactions'] as const) vars[key] = String(totals[key]);
        }
        return vars;
      },
    },
  },
};
