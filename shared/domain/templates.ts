/**
 * Message templates per locale. Variables are `{name}`; an unknown variable is
 * a programming error caught by the tests, not a broken message.
 */

export type TemplateName =
  | 'welcome'
  | 'rules'
  | 'reply.birthday'
  | 'reply.birthday.usage'
  | 'reply.timezone'
  | 'reply.timezone.usage'
  | 'reply.optout'
  | 'reply.optin'
  | 'reply.invite'
  | 'reply.invite.link'
  | 'reply.points'
  | 'reply.help';

/** The variables each template may use; the dispatcher supplies each one. */
export const TEMPLATE_VARIABLES: Record<TemplateName, readonly string[]> = {
  welcome: ['name', 'community', 'rules'],
  rules: ['rulesUrl'],
  'reply.birthday': ['name', 'birthday'],
  'reply.birthday.usage': [],
  'reply.timezone': ['name', 'timezone'],
  'reply.timezone.usage': [],
  'reply.optout': ['name', 'community'],
  'reply.optin': ['name', 'community'],
  'reply.invite': ['community', 'code', 'link'],
  'reply.invite.link': ['url'],
  'reply.points': ['name', 'points', 'messages', 'replies', 'reactions'],
  'reply.help': [],
};

/** The help text's command list, the same in every locale. */
const COMMANDS = '/birthday MM-DD · /timezone Area/City · /optout · /optin · /invite · /points · /help';

const TEMPLATES: Record<string, Record<TemplateName, string>> = {
  en: {
    welcome: 'Welcome to {community}, {name}! {rules}Tell us a little about yourself and what brought you here.',
    // Filled into {rules} only when the community has a rules URL.
    rules: 'Have a look at the rules first: {rulesUrl} ',
    // Answers to member commands: short, and each says what to do next.
    'reply.birthday': 'Thanks, {name}: your birthday is saved as {birthday}.',
    'reply.birthday.usage': 'Send your birthday as /birthday MM-DD, for example /birthday 03-14.',
    'reply.timezone': 'Thanks, {name}: your time zone is now {timezone}.',
    'reply.timezone.usage': 'Send your time zone as /timezone Area/City, for example /timezone Europe/Berlin.',
    'reply.optout': 'Done, {name}: {community} will send you no more automated messages. Send /optin to undo.',
    'reply.optin': 'Welcome back, {name}: automated messages from {community} are on again. Send /optout to stop them.',
    'reply.invite': 'Your invite code for {community} is {code}.{link}',
    // Filled into {link} only when the community has an invite link template.
    'reply.invite.link': ' Share this link: {url}',
    'reply.points': '{name}, you have {points} points: {messages} messages, {replies} replies, {reactions} reactions.',
    'reply.help': `What I understand: ${COMMANDS}`,
  },
  'zh-CN': {
    welcome: '欢迎加入{community}，{name}！{rules}简单介绍一下自己，说说是什么让你来到这里吧。',
    rules: '请先看看群规：{rulesUrl} ',
    'reply.birthday': '谢谢，{name}：已记下你的生日 {birthday}。',
    'reply.birthday.usage': '请按 /birthday MM-DD 的格式发送生日，例如 /birthday 03-14。',
    'reply.timezone': '谢谢，{name}：你的时区已设为 {timezone}。',
    'reply.timezone.usage': '请按 /timezone 地区/城市 的格式发送时区，例如 /timezone Asia/Shanghai。',
    'reply.optout': '好的，{name}：{community}不会再给你发送自动消息。发送 /optin 可以恢复。',
    'reply.optin': '欢迎回来，{name}：{community}的自动消息已恢复。发送 /optout 可以停止。',
    'reply.invite': '你在{community}的邀请码是 {code}。{link}',
    'reply.invite.link': '分享这个链接：{url}',
    'reply.points': '{name}，你有 {points} 积分：{messages} 条消息，{replies} 条回复，{reactions} 个表情回应。',
    'reply.help': `我能听懂这些命令：${COMMANDS}`,
  },
};

/** Template variables; missing optional ones render as sensible fallbacks. */
export type TemplateVars = Record<string, string>;

/**
 * The shipped locale closest to `locale`: the same tag (any case), else the
 * first with the same language (`zh-Hans`, `zh-SG` → `zh-CN`), else `en`.
 */
export function shippedLocale(locale: string): string {
  const shipped = Object.keys(TEMPLATES);
  const wanted = locale.toLowerCase();
  const language = wanted.split('-')[0];
  return (
    shipped.find((l) => l.toLowerCase() === wanted) ??
    shipped.find((l) => l.toLowerCase().split('-')[0] === language) ??
    'en'
  );
}

/** The template text for a locale (see `shippedLocale`). */
export function templateFor(name: TemplateName, locale: string): string {
  return TEMPLATES[shippedLocale(locale)][name];
}

/** Fill `{var}` placeholders; throws on a variable that has no value. */
export function render(template: string, vars: TemplateVars): string {
  return template.replace(/\{([a-zA-Z]+)\}/g, (_, key: string) => {
    const value = vars[key];
    if (value === undefined) throw new Error(`template variable {${key}} has no value`);
    return value;
  });
}

/** Variables a template uses. */
export const templateVariables = (template: string): string[] =>
  [...template.matchAll(/\{([a-zA-Z]+)\}/g)].map((m) => m[1]);

/** Every shipped template, for tests that check them. */
export const shippedTemplates = (): Array<{ locale: string; name: TemplateName; text: string }> =>
  Object.entries(TEMPLATES).flatMap(([locale, table]) =>
    Object.entries(table).map(([name, text]) => ({ locale, name: name as TemplateName, text })),
  );
