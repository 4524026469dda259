import type { TemplateDefinition } from '../contract';

/**
 * What a community's own drip texts may use: everything known about a member in onboarding. `{days}`
 * is the days since they joined.
 */
export const STEP_VARIABLES = ['name', 'community', 'about', 'rules', 'rulesUrl', 'inviteLink', 'days'] as const;

/** The onboarding texts Hearth ships (a community may override any of them, per locale). */
export const templates = {
  welcome: {
    vars: ['name', 'community', 'about', 'rules'],
    en: 'Welcome to {community}, {name}! {about}{rules}Tell us a little about yourself and what brought you here.',
    'zh-CN': '欢迎加入{community}，{name}！{about}{rules}简单介绍一下自己，说说是什么让你来到这里吧。',
  },
  // Filled into {rules} only when the community has a rules URL, and into {about} only when it says what it is for.
  rules: {
    vars: ['rulesUrl'],
    communityVars: 'exact',
    en: 'Have a look at the rules first: {rulesUrl} ',
    'zh-CN': '请先看看群规：{rulesUrl} ',
  },
  about: {
    vars: ['about'],
    communityVars: 'exact',
    en: '{about} ',
    'zh-CN': '{about} ',
  },
  // The default drip: one day, then three days after joining.
  'onboarding.introduce': {
    vars: ['name', 'community'],
    communityVars: STEP_VARIABLES,
    en: 'Hi {name}, glad you are in {community}! If you have not yet, say hello: who you are, what you are working on, and what you would like to find here.',
    'zh-CN': '{name}，很高兴你加入{community}！还没自我介绍的话，来打个招呼吧：你是谁，在做什么，希望在这里找到什么。',
  },
  'onboarding.thisWeek': {
    vars: ['name', 'community', 'rules'],
    communityVars: STEP_VARIABLES,
    en: "{name}, here is how to get the most out of {community} this week: jump into a conversation that interests you, ask the question you came with, or answer someone else's. {rules}",
    'zh-CN':
      '{name}，这周在{community}可以这样开始：加入一个你感兴趣的话题，问出你带来的问题，或者帮别人解答一个。{rules}',
  },
} as const satisfies Record<string, TemplateDefinition>;
