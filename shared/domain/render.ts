/** Filling a template's `{variables}`: no imports, so any module may use it. */

/** Fill `{var}` placeholders; throws on a variable that has no value. */
export function render(template: string, vars: Readonly<Record<string, string>>): string {
  return template.replace(/\{([a-zA-Z]+)\}/g, (_, key: string) => {
    const value = vars[key];
    if (value === undefined) throw new Error(`template variable {${key}} has no value`);
    return value;
  });
}

/** Variables a template uses. */
export const templateVariables = (template: string): string[] =>
  [...template.matchAll(/\{([a-zA-Z]+)\}/g)].map((m) => m[1]);
