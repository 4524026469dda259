import { changeOf } from '../../shared/workflows/digest/numbers';
import { type Period, parsePeriod } from '../../shared/workflows/digest/periods';
import type { DigestReport } from '../../shared/workflows/digest/report';

/** A digest as `digestReport` returns it, for a community named `name`. */
export function report(name: string, locale = 'en'): DigestReport {
  const zh = locale.startsWith('zh');
  const numbers = {
    members: 1204,
    membersAtStart: 1180,
    growthRate: 24 / 1180,
    activation: 0.625,
    newcomers: 8,
    retention: [
      { cohort: '2026-W48', k: 1, rate: 0.5, size: 8 },
      { cohort: '2026-W47', k: 1, rate: null, size: 0 },
    ],
    joins: 30,
    leaves: 0,
    net: 30,
    wau: 312,
    avgDau: 97.4,
    mau: 640,
    stickiness: 97.4 / 640,
    messages: 2048,
    replies: 512,
    reactions: 900,
    messagesPerActive: 2048 / 312,
    interactionRate: 1412 / 2048,
    churn: 0.125,
    topContributors: [
      { memberId: 'ada', name: zh ? '林晓' : 'Ada Lovelace', activities: 77, repliesReceived: 3 },
      { memberId: 'U0123CY', activities: 41, repliesReceived: 9 },
    ],
    automation: { sent: { welcome: 30 }, held: { 'quiet hours': 4 }, failed: 1, failedWaiting: 2 },
    winbacksSent: 10,
    winbackSuccess: 0.3,
    dripFinished: 6,
    dripCompletion: 4 / 6,
    referrals: {
      codesIssued: 5,
      joinedThroughCode: 3,
      qualified: 2,
      top: [{ memberId: 'bo', name: zh ? '王波' : 'Bo Chen', qualified: 2, joined: 3 }],
    },
    tiers: {
      distribution: { lurker: 600, newcomer: 30, regular: 400, active: 120, core: 40, champion: 14 },
      promoted: 12,
      demoted: 0,
    },
  };
  return {
    community: { id: 'acme', name, timezone: 'Asia/Shanghai', locale },
    period: parsePeriod('week', '2026-W49') as Period,
    numbers,
    changes: {
      members: changeOf('members', 1204, 1180),
      wau: changeOf('wau', 312, 390),
      leaves: changeOf('leaves', 0, 0),
      churn: changeOf('churn', 0.125, 0.1),
    },
    trends: [
      { period: '2026-W48', members: 1180, wau: 390, messages: 2500 },
      { period: '2026-W49', members: 1204, wau: 312, messages: 2048 },
    ],
    targets: [
      { metric: 'wau', value: 500, by: '2026-12-31', current: 312, progress: 0.4, projected: 350, onPace: false },
    ],
    attention: [
      { metric: 'wau', kind: 'low', value: 312, against: 400 },
      { metric: 'wau', kind: 'offPace', value: 312, against: 500, by: '2026-12-31', projected: 350 },
      { metric: 'failedWaiting', kind: 'failed', value: 2, against: 0 },
    ],
    calendar: {
      posts: [
        {
          entry: 'show-and-tell',
          owner: 'Ana',
          sentAt: '2026-12-04T09:00:04.000Z',
          local: '2026-12-04 17:00',
          replies: 14,
          reactions: 31,
          channelMessages: 86,
        },
        {
          entry: 'launch',
          sentAt: '2026-12-02T04:00:02.000Z',
          local: '2026-12-02 12:00',
          replies: null,
          reactions: null,
          channelMessages: null,
        },
      ],
      challenges: [
        {
          id: 'run-7',
          owner: 'Bo',
          start: '2026-11-30',
          days: 7,
          participants: 40,
          completed: 12,
          completionRate: 0.3,
          longest: [
            { memberId: 'cy', name: zh ? '陈毅' : 'Cy Lu', best: 7 },
            { memberId: 'dee', best: 6 },
          ],
        },
      ],
    },
  };
}
