/** Locale matching: no imports, so any module may use it. */

/** Of `available`, the same tag as `locale` (any case), else the first with the same language. */
export function closestLocale(locale: string, available: readonly string[]): string | undefined {
  const wanted = locale.toLowerCase();
  const language = wanted.split('-')[0];
  return (
    available.find((l) => l.toLowerCase() === wanted) ??
    available.find((l) => l.toLowerCase().split('-')[0] === language)
  );
}

/** The locales Hearth writes to operators in (the digest, the names of outbox kinds). */
export type OperatorLocale = 'en' | 'zh-CN';

/** The operator locale closest to `locale` (any `zh` is Chinese), else English. */
export const operatorLocale = (locale: string): OperatorLocale =>
  (closestLocale(locale, ['en', 'zh-CN']) as OperatorLocale | undefined) ?? 'en';
