import { dayIn } from '../../domain/time';
import { getMember, type Member } from '../../store/members';
import type { Workflow } from '../contract';
import { pointsSchema, tiersSchema } from './config';
import { CONTRIBUTION_TIERS, tierRank } from './rules';
import { changeTier, earnsPoints, leaveLeaderboard, rejoinLeaderboard, type StandingMember } from './store';
import { templates } from './templates';

/**
 * A member's standing: points, levels, badges and tiers (see `rules.ts` for
 * the rules and `rollup.ts` for the end-of-day job that applies them).
 */
export const standing: Workflow<{ points: typeof pointsSchema; tiers: typeof tiersSchema }> = {
  name: 'standing',
  sections: { points: pointsSchema, tiers: tiersSchema },
  templates,
  check(config, issue) {
    // Each tier asks at least what the one below it asks, or the order of the tiers would mean nothing.
    for (let i = 1; i < CONTRIBUTION_TIERS.length; i++) {
      const lower = config.tiers[CONTRIBUTION_TIERS[i - 1]];
      const tier = CONTRIBUTION_TIERS[i];
      for (const field of ['activeDays', 'messages', 'received', 'referrals'] as const) {
        if (config.tiers[tier][field] < lower[field]) {
          issue(['tiers', tier, field], `must be at least ${CONTRIBUTION_TIERS[i - 1]}'s (${lower[field]})`);
        }
      }
    }
  },
  kinds: {
    'level.up': { label: { en: 'Level-up notes', 'zh-CN': '升级通知' }, cancelledOnLeave: true },
  },
  jobs: [
    {
      name: 'tiers',
      cadence: { minute: '35', hour: '*' },
      why: "hourly, so each community's finished local day is folded within the hour after its midnight; the weekly review after Sunday",
    },
  ],
  on: {
    // A newcomer from the day they join: a lurker's tier (or none) gives way to it.
    async 'member.joined'(db, community, event) {
      const member = (await getMember(db, community.id, event.memberId, { consistent: true })) as
        | StandingMember
        | undefined;
      if (member?.status !== 'member' || !earnsPoints(member)) return 'ignored';
      await rejoinLeaderboard(db, community.id, member);
      if (tierRank(member.tier) >= tierRank('newcomer')) return 'kept';
      const day = dayIn(new Date(event.occurredAt), community.timezone);
      return (await changeTier(db, community.id, member.id, member.tier, 'newcomer', day)) ? 'newcomer' : 'kept';
    },
    // A member who left holds no tier and no place on the leaderboard; their points stay for a return.
    async 'member.left'(db, community, event) {
      const member = (await getMember(db, community.id, event.memberId, { consistent: true })) as
        | StandingMember
        | undefined;
      if (member?.status !== 'left') return 'ignored';
      await leaveLeaderboard(db, community.id, member.id);
      const day = dayIn(new Date(event.occurredAt), community.timezone);
      return (await changeTier(db, community.id, member.id, member.tier, undefined, day)) ? 'left' : 'none';
    },
  },
  // Points, levels and badges are counts and stay; the public place on the leaderboard goes.
  async forget(db, community, member) {
    if ((member as Member & { rankPk?: string }).rankPk === undefined) return [];
    await leaveLeaderboard(db, community.id, member.id);
    return ['place on the leaderboard'];
  },
};
