import type { TemplateDefinition } from '../contract';

/** The check-in challenges' texts Hearth ships (a community may override any of them, per locale). */
export const templates = {
  // The daily prompt, a post in the channel: `how` is `/checkin`, and the keyword where there is one.
  'challenge.prompt': {
    vars: ['challenge', 'day', 'days', 'how'],
    en: 'Day {day} of {days} of the {challenge} challenge! Check in today: {how}',
    'zh-CN': '{challenge} 打卡挑战第 {day}/{days} 天！今天来打卡：{how}',
  },
  'challenge.checkin': {
    vars: ['name', 'challenge', 'day', 'days', 'count', 'streak'],
    communityVars: 'exact',
    en: '{name}, checked in for day {day} of {challenge}: {count} of {days} days, a {streak}-day streak.',
    'zh-CN': '{name}，{challenge} 第 {day} 天打卡成功：已打卡 {count}/{days} 天，连续 {streak} 天。',
  },
  'challenge.completed': {
    vars: ['name', 'challenge', 'days', 'points'],
    communityVars: 'exact',
    en: '{name}, you checked in on all {days} days of {challenge}! +{points} points and the Check-in challenge completed badge. 🎉',
    'zh-CN': '{name}，你完成了 {challenge} 全部 {days} 天的打卡！+{points} 积分，获得「完成打卡挑战」徽章。🎉',
  },
  'challenge.none': {
    vars: ['name'],
    communityVars: 'exact',
    en: '{name}, no check-in challenge is running today.',
    'zh-CN': '{name}，今天没有进行中的打卡挑战。',
  },
} as const satisfies Record<string, TemplateDefinition>;
