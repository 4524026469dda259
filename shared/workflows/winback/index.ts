import { awaitAnswer } from '../../store/members';
import type { Workflow } from '../contract';
import { winbackSchema } from './config';
import { countWinbackSent, recordWonBack } from './store';
import { templates } from './templates';

/** How long after a win-back an activity counts as its success (docs/kpis.md). */
export const WINBACK_SUCCESS_MS = 7 * 86_400_000;

/** Inactivity win-backs: a gentle, bounded ladder of messages to members gone quiet (see `decisions.ts`). */
export const winback: Workflow<{ winback: typeof winbackSchema }> = {
  name: 'winback',
  sections: { winback: winbackSchema },
  templates,
  kinds: {
    winback: {
      label: { en: 'Win-backs', 'zh-CN': '召回消息' },
      cancelledOnLeave: true,
      // It waits for its answer from the moment it may be read (see `awaitAnswer`).
      beforeSend: ({ db, item, now }) => awaitAnswer(db, item, now, WINBACK_SUCCESS_MS),
      afterSend: ({ db, community, now }) => countWinbackSent(db, community, now),
    },
  },
  jobs: [
    {
      name: 'winback',
      cadence: { minute: '5', hour: '*' },
      why: "hourly, so each community's new local day is decided within the hour after its midnight",
    },
  ],
  on: {
    'member.reactivated': async (db, community, event) =>
      (await recordWonBack(db, community, event)) ? 'won-back' : 'ignored',
  },
  // A quiet spell is the first rung's silence: a member back after it is news (`member.reactivated`).
  quietSpellDays: (config) => config.winback.ladderDays[0],
};
