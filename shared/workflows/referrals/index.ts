import type { Workflow } from '../contract';
import { referralsSchema } from './config';
import { attributeJoin, loseOnLeave } from './decisions';
import { inviteCodeFor, unlinkInviteCode } from './store';
import { templates } from './templates';

/**
 * Referrals: each member's invite code (`/invite`) and the link that carries
 * it, which any text may offer as `{inviteLink}`; attribution of each first
 * join, and qualification (see `decisions.ts`).
 */
export const referrals: Workflow<{ referrals: typeof referralsSchema }> = {
  name: 'referrals',
  sections: { referrals: referralsSchema },
  templates,
  variables: {
    inviteLink: {
      anyTemplate: true,
      missing: (config) => (config.referrals.linkTemplate ? undefined : 'referrals.linkTemplate is not set'),
      // The code is made only for a text that offers the link.
      async value({ db, item, community, now }) {
        const link = community.referrals.linkTemplate;
        if (!link) return undefined;
        return link.replace('{code}', await inviteCodeFor(db, item.communityId, item.memberId, now));
      },
    },
  },
  kinds: {
    'referral.thanks': { label: { en: 'Referral thank-yous', 'zh-CN': '邀请致谢' }, cancelledOnLeave: true },
  },
  jobs: [
    {
      name: 'referrals',
      cadence: { minute: '25', hour: '*' },
      why: "hourly, so each community's finished local day is decided within the hour after its midnight, before the standing folds it",
    },
  ],
  on: {
    'member.joined': attributeJoin,
    'member.left': loseOnLeave,
  },
  // The code a member holds names them; who referred whom stays as counts.
  async forget(db, community, member, now) {
    if (!member.inviteCode) return [];
    return (await unlinkInviteCode(db, community.id, member.id, member.inviteCode, now))
      ? [`invite code ${member.inviteCode}`]
      : [];
  },
};
