import type { TemplateDefinition } from '../contract';

/** The winback texts Hearth ships (a community may override any of them, per locale). */
export const templates = {
  winback: {
    vars: ['name', 'community', 'days'],
    en: 'Hi {name}, it has been {days} days since we last heard from you in {community}, and we miss you. Drop by and tell us what you have been up to!',
    'zh-CN': '{name}，你已经 {days} 天没在{community}出现了，大家很想你。回来聊聊最近在忙什么吧！',
  },
} as const satisfies Record<string, TemplateDefinition>;
