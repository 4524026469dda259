import type { TemplateDefinition } from '../contract';

/**
 * The help's list of commands, the same in every locale: this workflow's own, then those other workflows
 * declare (`/checkin`), then `/help`.
 */
export function helpList(memberCommands: readonly string[] = []): string {
  const own = ['/birthday MM-DD', '/timezone Area/City', '/optout', '/optin', '/invite', '/points'];
  return [...own, ...memberCommands.map((name) => `/${name}`), '/help'].join(' · ');
}

/** The commands texts Hearth ships (a community may override any of them, per locale). */
export const templates = {
  // Answers to member commands: short, and each says what to do next.
  'reply.birthday': {
    vars: ['name', 'birthday'],
    communityVars: 'exact',
    en: 'Thanks, {name}: your birthday is saved as {birthday}.',
    'zh-CN': '谢谢，{name}：已记下你的生日 {birthday}。',
  },
  'reply.birthday.usage': {
    vars: [],
    communityVars: 'exact',
    en: 'Send your birthday as /birthday MM-DD, for example /birthday 03-14.',
    'zh-CN': '请按 /birthday MM-DD 的格式发送生日，例如 /birthday 03-14。',
  },
  'reply.timezone': {
    vars: ['name', 'timezone'],
    communityVars: 'exact',
    en: 'Thanks, {name}: your time zone is now {timezone}.',
    'zh-CN': '谢谢，{name}：你的时区已设为 {timezone}。',
  },
  'reply.timezone.usage': {
    vars: [],
    communityVars: 'exact',
    en: 'Send your time zone as /timezone Area/City, for example /timezone Europe/Berlin.',
    'zh-CN': '请按 /timezone 地区/城市 的格式发送时区，例如 /timezone Asia/Shanghai。',
  },
  'reply.optout': {
    vars: ['name', 'community'],
    communityVars: 'exact',
    en: 'Done, {name}: {community} will send you no more automated messages. Send /optin to undo.',
    'zh-CN': '好的，{name}：{community}不会再给你发送自动消息。发送 /optin 可以恢复。',
  },
  'reply.optin': {
    vars: ['name', 'community'],
    communityVars: 'exact',
    en: 'Welcome back, {name}: automated messages from {community} are on again. Send /optout to stop them.',
    'zh-CN': '欢迎回来，{name}：{community}的自动消息已恢复。发送 /optout 可以停止。',
  },
  'reply.invite': {
    vars: ['community', 'code', 'link'],
    communityVars: 'exact',
    en: 'Your invite code for {community} is {code}.{link}',
    'zh-CN': '你在{community}的邀请码是 {code}。{link}',
  },
  // Filled into {link} only when the community has an invite link template.
  'reply.invite.link': {
    vars: ['url'],
    communityVars: 'exact',
    en: ' Share this link: {url}',
    'zh-CN': '分享这个链接：{url}',
  },
  'reply.points': {
    vars: ['name', 'points', 'level', 'tier', 'rank', 'badges'],
    communityVars: 'exact',
    en: '{name}, your points: {points}. Level {level}, {tier}{rank}. Badges: {badges}.',
    'zh-CN': '{name}，你的积分：{points}。{level} 级，{tier}{rank}。徽章：{badges}。',
  },
  // Filled into {rank} only for a member on the leaderboard.
  'reply.points.rank': {
    vars: ['rank'],
    communityVars: 'exact',
    en: ', #{rank} in the community',
    'zh-CN': '，排名第 {rank}',
  },
  // {badges} for a member without any yet.
  'reply.points.noBadges': {
    vars: [],
    communityVars: 'exact',
    en: 'none yet',
    'zh-CN': '暂无',
  },
  'reply.help': {
    vars: ['commands'],
    communityVars: 'exact',
    en: 'What I understand: {commands}',
    'zh-CN': '我能听懂这些命令：{commands}',
  },
} as const satisfies Record<string, TemplateDefinition>;
