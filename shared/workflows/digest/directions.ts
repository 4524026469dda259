/**
 * The metrics a digest compares, keeps and can set a target on, and which way each is good. Imported by
 * the config (a target names one) and by the numbers; nothing else, so the config stays light.
 */

/** Which way a metric is good: up (more members) or down (more churn is bad). */
export const GOOD_DIRECTION = {
  members: 'up',
  joins: 'up',
  leaves: 'down',
  net: 'up',
  growthRate: 'up',
  wau: 'up',
  avgDau: 'up',
  mau: 'up',
  stickiness: 'up',
  messages: 'up',
  replies: 'up',
  reactions: 'up',
  messagesPerActive: 'up',
  interactionRate: 'up',
  activation: 'up',
  churn: 'down',
  winbackSuccess: 'up',
  dripCompletion: 'up',
} as const satisfies Record<string, 'up' | 'down'>;

/** The metrics a period keeps and compares, by name. */
export const METRICS = Object.keys(GOOD_DIRECTION) as [keyof typeof GOOD_DIRECTION, ...(keyof typeof GOOD_DIRECTION)[]];

/** Whether going up is good for `metric` (an unknown name: up). */
export const goodWhenUp = (metric: string): boolean =>
  (GOOD_DIRECTION as Record<string, 'up' | 'down'>)[metric] !== 'down';
