import type { TemplateDefinition } from '../workflows/contract';
import { CUSTOM_TEMPLATE_VARIABLES, TEMPLATE_DEFINITIONS, VARIABLE_SOURCES } from '../workflows/registry';
import type { CommunityConfig } from './config';
import { closestLocale } from './locale';
import { templateVariables } from './render';

export { closestLocale } from './locale';

export { render, templateVariables } from './render';

/**
 * Message templates per locale. Variables are `{name}`. Hearth ships en and
 * zh-CN; each workflow ships its own texts in its folder, and the registry
 * gathers them here. A community may override any template, or add its own
 * for drip steps, per locale (config `templates`). An unknown variable is a
 * config error at `community put` (see `templateProblems`), never a broken
 * message.
 */

/** A template's name (`welcome`, `reply.points`, or a community's own). */
export type TemplateName = string;

/** The locales Hearth ships texts in. */
export const SHIPPED_LOCALES = ['en', 'zh-CN'] as const;

/** The variables each shipped template may use; the dispatcher supplies each one. */
export const TEMPLATE_VARIABLES: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  Object.entries(TEMPLATE_DEFINITIONS).map(([name, definition]) => [name, definition.vars]),
);

/** Template variables; missing optional ones render as sensible fallbacks. */
export type TemplateVars = Record<string, string>;

/**
 * The shipped locale closest to `locale`: the same tag (any case), else the
 * first with the same language (`zh-Hans`, `zh-SG` → `zh-CN`), else `en`.
 */
export function shippedLocale(locale: string): (typeof SHIPPED_LOCALES)[number] {
  const closest = closestLocale(locale, SHIPPED_LOCALES);
  return SHIPPED_LOCALES.find((shipped) => shipped === closest) ?? 'en';
}

/** A community's own templates: by locale, by template name. */
export type TemplateOverrides = Readonly<Record<string, Readonly<Record<string, string>>>>;

/** Whether `name` is a template Hearth ships. */
export const isShippedTemplate = (name: string): boolean => Object.hasOwn(TEMPLATE_DEFINITIONS, name);

/** Variables any community text may use beyond its template's own list: the configured links. */
const ANY_TEMPLATE_VARIABLES = Object.entries(VARIABLE_SOURCES)
  .filter(([, source]) => source.anyTemplate)
  .map(([name]) => name);

/** The variables a community's text for template `name` may use. */
export function allowedVariables(name: string): readonly string[] {
  const definition: TemplateDefinition | undefined = TEMPLATE_DEFINITIONS[name];
  if (!definition) return CUSTOM_TEMPLATE_VARIABLES;
  if (definition.communityVars === 'exact') return definition.vars;
  if (definition.communityVars) return definition.communityVars;
  return [...new Set([...definition.vars, ...ANY_TEMPLATE_VARIABLES])];
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
 * config validation: a variable the template cannot have, or one whose
 * source is not configured (a link that is not set).
 */
export function templateProblems(config: CommunityConfig): Array<[string[], string]> {
  const problems: Array<[string[], string]> = [];
  for (const [locale, table] of Object.entries(config.templates)) {
    for (const [name, text] of Object.entries(table)) {
      const allowed = allowedVariables(name);
      for (const variable of new Set(templateVariables(text))) {
        const path = ['templates', locale, name];
        const missing = VARIABLE_SOURCES[variable]?.missing?.(config);
        if (!allowed.includes(variable)) {
          problems.push([
            path,
            `unknown variable {${variable}}; this template may use ${allowed.map((v) => `{${v}}`).join(', ')}`,
          ]);
        } else if (missing) {
          problems.push([path, `uses {${variable}}, but ${missing}`]);
        }
      }
    }
  }
  return problems;
}

/** The shipped text of template `name` for a locale (see `shippedLocale`). */
export function templateFor(name: TemplateName, locale: string): string {
  const definition = TEMPLATE_DEFINITIONS[name];
  if (!definition) throw new Error(`Hearth ships no template "${name}"`);
  return definition[shippedLocale(locale)];
}

/** Every shipped template, for tests that check them. */
export const shippedTemplates = (): Array<{ locale: string; name: TemplateName; text: string }> =>
  SHIPPED_LOCALES.flatMap((locale) =>
    Object.entries(TEMPLATE_DEFINITIONS).map(([name, definition]) => ({ locale, name, text: definition[locale] })),
  );
