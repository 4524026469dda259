import type { Workflow } from '../contract';
import { referralsSchema } from './config';
import { inviteCodeFor } from './store';

/**
 * Referrals: each member's invite code (`/invite`), and the link that carries
 * it, which any text may offer as `{inviteLink}`.
 */
export const referrals: Workflow<{ referrals: typeof referralsSchema }> = {
  name: 'referrals',
  sections: { referrals: referralsSchema },
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
};
