/**
 * Message templates per locale. Variables are `{name}`; an unknown variable is
 * a programming error caught by the tests, not a broken message.
 */

export type TemplateName = 'welcome' | 'rules';

const TEMPLATES: Record<string, Record<TemplateName, string>> = {
  en: {
    welcome: 'Welcome to {community}, {name}! {rules}Tell us a little about yourself and what brought you here.',
    // Filled into {rules} only when the community has a rules URL.
    rules: 'Have a look at the rules first: {rulesUrl} ',
  },
  'zh-CN': {
    welcome: '欢迎加入{community}，{name}！{rules}简单介绍一下自己，说说是什么让你来到这里吧。',
    rules: '请先看看群规：{rulesUrl} ',
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
