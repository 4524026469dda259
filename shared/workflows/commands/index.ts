import { render } from '../../domain/render';
import { memberTotals } from '../../store/members';
import type { Workflow } from '../contract';
import { answerCommand, hearthCommand } from './decisions';
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
  async commands(db, community, event, options) {
    const command = hearthCommand(event, community);
    if (!command || event.type !== 'message.posted') return false;
    await answerCommand(db, community, event, command, options);
    return true;
  },
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
