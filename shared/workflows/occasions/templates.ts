import type { TemplateDefinition } from '../contract';

/** What a community's own holiday text may use; `{name}` only for a holiday to `members`. */
export const MEMBER_HOLIDAY_VARIABLES = ['community', 'name'] as const;

/** The anniversary and holiday texts Hearth ships (a community may override any of them, per locale). */
export const templates = {
  anniversary: {
    vars: ['name', 'community', 'years'],
    en: '{name}, today is your {years}-year anniversary in {community}! 🎉 Thank you for being part of it.',
    'zh-CN': '{name}，今天是你加入{community}{years}周年的日子！🎉 谢谢你一直都在。',
  },
  // Holiday texts name no member: the same text is a channel post or a message to each member.
  holiday: {
    vars: ['community'],
    communityVars: MEMBER_HOLIDAY_VARIABLES,
    en: 'Happy holidays from everyone at {community}!',
    'zh-CN': '{community}祝大家节日快乐！',
  },
  'holiday.newYear': {
    vars: ['community'],
    communityVars: MEMBER_HOLIDAY_VARIABLES,
    en: 'Happy New Year from everyone at {community}! 🎉',
    'zh-CN': '{community}祝大家新年快乐！🎉',
  },
  'holiday.springFestival': {
    vars: ['community'],
    communityVars: MEMBER_HOLIDAY_VARIABLES,
    en: 'Happy Spring Festival from everyone at {community}! 🧧',
    'zh-CN': '{community}祝大家春节快乐，万事如意！🧧',
  },
  'holiday.midAutumn': {
    vars: ['community'],
    communityVars: MEMBER_HOLIDAY_VARIABLES,
    en: 'Happy Mid-Autumn Festival from everyone at {community}! 🥮',
    'zh-CN': '{community}祝大家中秋快乐，阖家团圆！🥮',
  },
} as const satisfies Record<string, TemplateDefinition>;
