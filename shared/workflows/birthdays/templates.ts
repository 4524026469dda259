import type { TemplateDefinition } from '../contract';

/** The birthdays texts Hearth ships (a community may override any of them, per locale). */
export const templates = {
  birthday: {
    vars: ['name', 'community'],
    en: 'Happy birthday, {name}! 🎂 Everyone at {community} wishes you a wonderful year ahead.',
    'zh-CN': '生日快乐，{name}！🎂 {community}的大家祝你新的一岁一切顺利。',
  },
} as const satisfies Record<string, TemplateDefinition>;
