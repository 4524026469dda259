import { closestLocale } from '../domain/locale';

/** What a workflow's config check needs of a community: its locale and its own texts. */
interface OwnTexts {
  locale: string;
  templates: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/** The community's own text for `template` in (or closest to) its locale, if it wrote one. */
export function communityText(config: OwnTexts, template: string): string | undefined {
  const own = closestLocale(config.locale, Object.keys(config.templates));
  return own === undefined ? undefined : config.templates[own][template];
}

/**
 * What is wrong with a config field that names the text a workflow sends (a drip step's, a holiday's): a
 * shipped text of another kind (its name does not start with `prefix`), or a name nobody wrote in the
 * community's locale. Undefined when it may be sent.
 */
export function namedTextProblem(
  config: OwnTexts,
  template: string,
  shipped: (template: string) => boolean,
  { prefix, what }: { prefix: string; what: string },
): string | undefined {
  if (shipped(template)) return template.startsWith(prefix) ? undefined : `"${template}" is not a ${what}`;
  if (communityText(config, template) === undefined) {
    return `no template "${template}": write it under templates.${config.locale}`;
  }
  return undefined;
}
