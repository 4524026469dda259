import { describe, expect, it } from 'vitest';
import {
  render,
  shippedTemplates,
  TEMPLATE_VARIABLES,
  templateFor,
  templateVariables,
} from '../../shared/domain/templates';

/** A value for every variable any template may use. */
const VARS = {
  name: 'Ada',
  community: 'Acme',
  rulesUrl: 'https://acme.example/rules',
  rules: '',
  about: 'We build things together.',
  days: '14',
  years: '2',
  birthday: '03-14',
  timezone: 'Europe/Berlin',
  code: 'K7M2P9QX',
  link: '',
  url: 'https://acme.example/join?ref=K7M2P9QX',
  points: '12',
  level: '2',
  tier: 'regular',
  rank: ', #3 in the community',
  badges: 'First message',
  challenge: 'run-7',
  day: '3',
  count: '3',
  streak: '2',
  how: '/checkin · #run',
  commands: '/birthday MM-DD · /help',
};

const english = () => shippedTemplates().find((t) => t.locale === 'en' && t.name === 'welcome')?.text;
const chinese = () => shippedTemplates().find((t) => t.locale === 'zh-CN' && t.name === 'welcome')?.text;

describe('Module: templates', () => {
  describe('Function: shippedTemplates', () => {
    it('ships a welcome in en and zh-CN', () => {
      // Act
      const shipped = shippedTemplates().map((t) => `${t.locale}/${t.name}`);

      // Assess
      expect(shipped).toEqual(expect.arrayContaining(['en/welcome', 'zh-CN/welcome']));
    });

    it('ships the same template names in every locale', () => {
      // Act
      const names = (locale: string) =>
        shippedTemplates()
          .filter((t) => t.locale === locale)
          .map((t) => t.name)
          .sort();

      // Assess
      expect(names('zh-CN')).toEqual(names('en'));
    });

    it.each(shippedTemplates().map((t) => [`${t.locale}/${t.name}`, t.text]))(
      '%s uses exactly the variables its name allows',
      (id, text) => {
        // Act
        const used = templateVariables(text);

        // Assess
        const name = id.slice(id.indexOf('/') + 1) as keyof typeof TEMPLATE_VARIABLES;
        expect([...new Set(used)].sort()).toEqual([...TEMPLATE_VARIABLES[name]].sort());
      },
    );

    it.each(shippedTemplates().map((t) => [`${t.locale}/${t.name}`, t.text]))(
      '%s renders with the allowed variables and leaves no placeholder',
      (_id, text) => {
        // Act
        const out = render(text, VARS);

        // Assess
        expect(out).not.toMatch(/\{[a-zA-Z]+\}/);
        expect(out.length).toBeGreaterThan(0);
      },
    );
  });

  describe('Function: render', () => {
    it('nests the rules snippet into the welcome', () => {
      // Prepare
      const rules = render(templateFor('rules', 'en'), { rulesUrl: 'https://acme.example/rules' });

      // Act
      const out = render(templateFor('welcome', 'en'), { name: 'Ada', community: 'Acme', rules, about: '' });

      // Assess
      expect(out).toContain('Ada');
      expect(out).toContain('Acme');
      expect(out).toContain('https://acme.example/rules');
    });

    it('fills every placeholder, repeated ones too', () => {
      // Act
      const out = render('{name}, {name}! Welcome to {community}.', { name: 'Ada', community: 'Acme' });

      // Assess
      expect(out).toBe('Ada, Ada! Welcome to Acme.');
    });

    it('throws on a variable that has no value, naming it', () => {
      // Act
      const run = () => render('Hi {name}, see {rulesUrl}', { name: 'Ada' });

      // Assess
      expect(run).toThrow('{rulesUrl}');
    });

    it('renders an empty string value as empty', () => {
      // Act
      const out = render('rules: ({rulesUrl})', { rulesUrl: '' });

      // Assess
      expect(out).toBe('rules: ()');
    });

    it('does not re-expand placeholders found in values', () => {
      // Act
      const out = render('Hi {name}', { name: '{community}' });

      // Assess
      expect(out).toBe('Hi {community}');
    });
  });

  describe('Function: templateFor', () => {
    it('returns the exact locale', () => {
      // Act + Assess
      expect(templateFor('welcome', 'zh-CN')).toBe(chinese());
      expect(templateFor('welcome', 'en')).toBe(english());
    });

    it.each(['fr', 'de-DE', 'pt-BR', 'xx'])('falls back to en for the unknown locale %s', (locale) => {
      // Act + Assess
      expect(templateFor('welcome', locale)).toBe(english());
    });

    it('falls back from a region variant to its language (en-GB → en)', () => {
      // Act + Assess
      expect(templateFor('welcome', 'en-GB')).toBe(english());
    });

    // The language prefix must find the shipped Chinese template: a member whose
    // client reports `zh`, `zh-Hans` or `zh-SG` reads Chinese, not English.
    it.each(['zh', 'zh-Hans', 'zh-SG'])('falls back from %s to the Chinese template', (locale) => {
      // Act
      const text = templateFor('welcome', locale);

      // Assess
      expect(text).toBe(chinese());
    });
  });
});
