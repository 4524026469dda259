/**
 * Message templates per locale. Variables are `{name}`. Hearth ships en and
 * zh-CN; a community may override any template, or add its own for drip
 * steps, per locale (config `templates`). An unknown variable is a config
 * error at `community put` (see `templateProblems`), never a broken message.
 */

export type TemplateName =
  | 'welcome'
  | 'rules'
  | 'about'
  | 'onboarding.introduce'
  | 'onboarding.thisWeek'
  | 'birthday'
  | 'winback'
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
  welcome: ['name', 'community', 'about', 'rules'],
  rules: ['rulesUrl'],
  about: ['about'],
  'onboarding.introduce': ['name', 'community'],
  'onboarding.thisWeek': ['name', 'community', 'rules'],
  birthday: ['name', 'community'],
  winback: ['name', 'community', 'days'],
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
    welcome: 'Welcome to {community}, {name}! {about}{rules}Tell us a little about yourself and what brought you here.',
    // Filled into {rules} only when the community has a rules URL, and into {about} only when it says what it is for.
    rules: 'Have a look at the rules first: {rulesUrl} ',
    about: '{about} ',
    // The default drip: one day, then three days after joining.
    'onboarding.introduce':
      'Hi {name}, glad you are in {community}! If you have not yet, say hello: who you are, what you are working on, and what you would like to find here.',
    'onboarding.thisWeek':
      "{name}, here is how to get the most out of {community} this week: jump into a conversation that interests you, ask the question you came with, or answer someone else's. {rules}",
    birthday: 'Happy birthday, {name}! 🎂 Everyone at {community} wishes you a wonderful year ahead.',
    winback:
      'Hi {name}, it has been {days} days since we last heard from you in {community}, and we miss you. Drop by and tell us what you have been up to!',
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
    welcome: '欢迎加入{community}，{name}！{about}{rules}简单介绍一下自己，说说是什么让你来到这里吧。',
    rules: '请先看看群规：{rulesUrl} ',
    about: '{about} ',
    'onboarding.introduce':
      '{name}，很高兴你加入{community}！还没自我介绍的话，来打个招呼吧：你是谁，在做什么，希望在这里找到什么。',
    'onboarding.thisWeek':
      '{name}，这周在{community}可以这样开始：加入一个你感兴趣的话题，问出你带来的问题，或者帮别人解答一个。{rules}',
    birthday: '生日快乐，{name}！🎂 {community}的大家祝你新的一岁一切顺利。',
    winback: '{name}，你已经 {days} 天没在{community}出现了，大家很想你。回来聊聊最近在忙什么吧！',
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
  return closestLocale(locale, Object.keys(TEMPLATES)) ?? 'en';
}

/** Of `available`, the same tag as `locale` (any case), else the first with the same language. */
export function closestLocale(locale: string, available: readonly string[]): string | undefined {
  const wanted = locale.toLowerCase();
  const language = wanted.split('-')[0];
  return (
    available.find((l) => l.toLowerCase() === wanted) ??
    available.find((l) => l.toLowerCase().split('-')[0] === language)
  );
}

/** A community's own templates: by locale, by template name. */
export type TemplateOverrides = Readonly<Record<string, Readonly<Record<string, string>>>>;

/** Whether a drip step may use template `name`: a shipped `onboarding.*` one, or the community's own. */
export const isStepTemplate = (name: string): boolean => !isShippedTemplate(name) || name.startsWith('onboarding.');

/** Whether `name` is a template Hearth ships. */
export const isShippedTemplate = (name: string): name is TemplateName => Object.hasOwn(TEMPLATE_VARIABLES, name);

/**
 * The variables a community's own drip templates may use: everything the
 * dispatcher knows about a member in onboarding. `{days}` is the days since
 * they joined.
 */
export const STEP_VARIABLES = ['name', 'community', 'about', 'rules', 'rulesUrl', 'inviteLink', 'days'] as const;

/**
 * Variables any template may use beyond its own list when a community writes
 * it: the community's links, which shipped texts leave out because they are
 * not always configured.
 */
const OPTIONAL_VARIABLES = ['rulesUrl', 'inviteLink'] as const;

/** The variables a community's text for template `name` may use. */
export function allowedVariables(name: string): readonly string[] {
  if (!isShippedTemplate(name) || isStepTemplate(name)) return STEP_VARIABLES;
  const own = TEMPLATE_VARIABLES[name];
  // Fragments and command answers keep exactly their own; member messages may also link.
  if (name === 'rules' || name === 'about' || name.startsWith('reply.')) return own;
  return [...new Set([...own, ...OPTIONAL_VARIABLES])];
}

/**
 * The text of template `name` for a member's `locale`: the community's own
 * for that locale (or the closest it wrote), else Hearth's shipped one, else
 * the community's own in its default locale (a custom drip step written only
 * there). Throws for a name nobody wrote, which config validation prevents.
 */
export function templateText(
  name: string,
  locale: string,
  overrides: TemplateOverrides = {},
  communityLocale: string = locale,
): string {
  const own = closestLocale(locale, Object.keys(overrides));
  const text =
    (own ? overrides[own][name] : undefined) ??
    (isShippedTemplate(name) ? templateFor(name, locale) : undefined) ??
    overrides[closestLocale(communityLocale, Object.keys(overrides)) ?? '']?.[name];
  if (text === undefined) throw new Error(`no template "${name}" for locale ${locale}`);
  return text;
}

/**
 * What is wrong with a community's templates, as `[path, message]` pairs for
 * config validation: a variable the template cannot have, or a link the
 * community has not configured.
 */
export function templateProblems(
  overrides: TemplateOverrides,
  configured: { rulesUrl: boolean; inviteLink: boolean },
): Array<[string[], string]> {
  const problems: Array<[string[], string]> = [];
  for (const [locale, table] of Object.entries(overrides)) {
    for (const [name, text] of Object.entries(table)) {
      const allowed = allowedVariables(name);
      for (const variable of new Set(templateVariables(text))) {
        const path = ['templates', locale, name];
        if (!allowed.includes(variable)) {
          problems.push([
            path,
            `unknown variable {${variable}}; this template may use ${allowed.map((v) => `{${v}}`).join(', ')}`,
          ]);
        } else if (variable === 'rulesUrl' && !configured.rulesUrl) {
          problems.push([path, 'uses {rulesUrl}, but onboarding.rulesUrl is not set']);
        } else if (variable === 'inviteLink' && !configured.inviteLink) {
          problems.push([path, 'uses {inviteLink}, but referrals.linkTemplate is not set']);
        }
      }
    }
  }
  return problems;
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
