import { render } from '../../domain/render';
import type { SendContext, Workflow } from '../contract';
import { getInviteCode, rememberInviteLink } from '../referrals/store';
import type { StandingSummary } from '../standing/summary';
import { standingOfMember } from '../standing/summary';
import { badgeTemplate, tierTemplate } from '../standing/templates';
import { answerCommand, hearthCommand } from './decisions';
import { helpList, templates } from './templates';

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
      label: { en: 'Answers to commands', 'zh-CN': '指令回复' },
      // The member just asked: they are waiting for the answer, whatever the hour, staff or opted out.
      responsive: true,
      answer: true,
      async vars(context, used) {
        const { db, item, community, now, text } = context;
        const vars: Record<string, string> = {};
        // The help's list is taken when it was asked; an answer queued before the list was kept lists our own.
        if (used.has('commands') && item.vars.commands === undefined) vars.commands = helpList();
        if (used.has('link')) {
          const url = item.vars.url ?? (item.vars.code ? await platformLink(context, item.vars.code) : undefined);
          vars.link = url ? render(text('reply.invite.link'), { url }) : '';
        }
        // The standing is read when the answer is sent, not when `/points` was asked.
        if (used.has('points')) {
          const standing = await standingOfMember(db, community, item.memberId, now);
          if (standing) Object.assign(vars, pointsVars(standing, text));
        }
        return vars;
      },
    },
  },
};

/** The variables of `/points`' answer, in the answer's locale. */
function pointsVars(standing: StandingSummary, text: (template: string) => string): Record<string, string> {
  const rank = standing.rank === undefined ? '' : `${standing.rank}${standing.rankPast ? '+' : ''}`;
  return {
    points: String(standing.points),
    level: String(standing.level),
    tier: text(tierTemplate(standing.tier)),
    rank: rank ? render(text('reply.points.rank'), { rank }) : '',
    badges: standing.badges.length
      ? standing.badges.map((badge) => text(badgeTemplate(badge))).join(', ')
      : text('reply.points.noBadges'),
  };
}

/**
 * The platform's own invite link for a code (Telegram), made once and kept on
 * the code: each referrer has one link, and a join through it names the code.
 */
async function platformLink(context: SendContext, code: string): Promise<string | undefined> {
  const stored = await getInviteCode(context.db, context.item.communityId, code);
  if (stored?.link) return stored.link;
  const link = await context.inviteLink(code);
  if (link) await rememberInviteLink(context.db, context.item.communityId, code, link);
  return link;
}
