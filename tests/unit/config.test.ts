import { describe, expect, it } from 'vitest';
import { ConfigError, parseCommunityConfig } from '../../shared/domain/config';

/** The minimal config of docs/contract.md, verbatim. */
const MINIMAL = {
  id: 'acme',
  name: 'Acme Makers',
  timezone: 'Asia/Shanghai',
  locale: 'zh-CN',
  operators: ['ops@acme.example'],
  webhookSecret: 'whsec_change_me',
  platform: { kind: 'generic' },
};

/** Parse `input` and return the ConfigError it throws (fails the test if it does not throw one). */
function configError(input: unknown): ConfigError {
  try {
    parseCommunityConfig(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected parseCommunityConfig to throw');
}

describe('Module: config', () => {
  describe('Function: parseCommunityConfig', () => {
    it('accepts the minimal config of docs/contract.md and fills every default', () => {
      // Prepare
      const input = structuredClone(MINIMAL);

      // Act
      const config = parseCommunityConfig(input);

      // Assess
      expect(config.id).toBe('acme');
      expect(config.locale).toBe('zh-CN');
      expect(config.operators).toEqual(['ops@acme.example']);
      expect(config.platform).toEqual({ kind: 'generic' });
      expect(config.birthdays).toEqual({ enabled: true, hour: 9, delivery: 'channel' });
      expect(config.winback).toEqual({ enabled: true, ladderDays: [14, 30], hour: 10, delivery: 'dm' });
      expect(config.caps).toEqual({ perDay: 1, perWeek: 3 });
      expect(config.quietHours).toEqual({ start: '22:00', end: '08:00' });
      expect(config.digest).toEqual({ enabled: true, weekday: 1, hour: 9, monthly: false, quarterly: false });
      expect(config.onboarding).toEqual({
        enabled: true,
        delivery: 'channel',
        steps: [
          { afterDays: 1, template: 'onboarding.introduce' },
          { afterDays: 3, template: 'onboarding.thisWeek' },
        ],
        restartAfterDays: 30,
      });
      expect(config.templates).toEqual({});
      expect(config.targets).toEqual([]);
      expect(config.dryRun).toBe(false);
      expect(config.anniversaries).toEqual({ enabled: true, years: [1, 2, 3, 5, 10], hour: 11, delivery: 'channel' });
      expect(config.holidays).toEqual([]);
      expect(config.referrals).toEqual({
        qualify: { activeDays: 2, withinDays: 14 },
        maxQualifiedPerDay: 5,
        minAccountAgeDays: 3,
        thankYou: 'dm',
      });
      expect(config.points).toEqual({
        message: 1,
        replyReceived: 2,
        reactionReceived: 1,
        referralQualified: 20,
        messageCooldownSeconds: 60,
        dailyCap: 50,
        levelUp: 'off',
      });
      expect(config.tiers).toEqual({
        newcomerDays: 14,
        regular: { activeDays: 1, messages: 0, received: 0, referrals: 0 },
        active: { activeDays: 4, messages: 10, received: 0, referrals: 0 },
        core: { activeDays: 10, messages: 40, received: 20, referrals: 0 },
        champion: { activeDays: 16, messages: 80, received: 60, referrals: 1 },
      });
    });

    it('defaults locale to en and operators to [] when they are left out', () => {
      // Prepare
      const { locale: _locale, operators: _operators, ...input } = MINIMAL;

      // Act
      const config = parseCommunityConfig(input);

      // Assess
      expect(config.locale).toBe('en');
      expect(config.operators).toEqual([]);
    });

    it('keeps values given for a section and defaults the rest of it', () => {
      // Prepare
      const input = { ...MINIMAL, birthdays: { hour: 7 }, winback: { ladderDays: [7, 21, 60] }, caps: { perDay: 2 } };

      // Act
      const config = parseCommunityConfig(input);

      // Assess
      expect(config.birthdays).toEqual({ enabled: true, hour: 7, delivery: 'channel' });
      expect(config.winback.ladderDays).toEqual([7, 21, 60]);
      expect(config.caps).toEqual({ perDay: 2, perWeek: 3 });
    });

    it('accepts a slack platform with its credentials', () => {
      // Prepare
      const input = { ...MINIMAL, platform: { kind: 'slack', signingSecret: 's3cret', botToken: 'xoxb-1' } };

      // Act
      const config = parseCommunityConfig(input);

      // Assess
      expect(config.platform).toEqual({ kind: 'slack', signingSecret: 's3cret', botToken: 'xoxb-1' });
    });

    it('accepts a telegram platform with the bot username, which is optional', () => {
      // Prepare
      const telegram = { kind: 'telegram', secretToken: 'tg-secret', botToken: '123:ABC', chatId: '-100123' };

      // Act
      const named = parseCommunityConfig({ ...MINIMAL, platform: { ...telegram, botUsername: 'Hearth_Bot' } });
      const unnamed = parseCommunityConfig({ ...MINIMAL, platform: telegram });

      // Assess
      expect(named.platform).toEqual({ ...telegram, botUsername: 'Hearth_Bot', joins: 'chat_member' });
      expect(unnamed.platform).not.toHaveProperty('botUsername');
    });

    it.each(['@HearthBot', 'bot', '1HearthBot', 'Hearth-Bot', 'Hearth Bot', `H${'a'.repeat(32)}`])(
      'rejects the telegram botUsername %j naming the field',
      (botUsername) => {
        // Prepare
        const platform = { kind: 'telegram', secretToken: 'tg-secret', botToken: '123:ABC', botUsername };

        // Act
        const error = configError({ ...MINIMAL, platform });

        // Assess
        expect(error.path).toBe('platform.botUsername');
        expect(error.message).toContain('without @');
      },
    );

    it.each([
      ['a time zone that is not IANA', { timezone: 'Mars/Olympus_Mons' }, 'timezone'],
      ['an operator that is not an email', { operators: ['not-an-email'] }, 'operators.0'],
      ['the second operator not an email', { operators: ['ops@acme.example', 'nope'] }, 'operators.1'],
      [
        'a slack platform without botToken',
        { platform: { kind: 'slack', signingSecret: 's3cret' } },
        'platform.botToken',
      ],
      ['an id with "#"', { id: 'ac#me' }, 'id'],
      ['an id with a space', { id: 'ac me' }, 'id'],
      ['a webhook secret shorter than 8', { webhookSecret: 'short' }, 'webhookSecret'],
      ['a birthday hour of 24', { birthdays: { hour: 24 } }, 'birthdays.hour'],
      ['a decreasing win-back ladder', { winback: { ladderDays: [30, 14] } }, 'winback.ladderDays'],
      ['quiet hours not HH:MM', { quietHours: { start: '25:00' } }, 'quietHours.start'],
      ['a locale that is not a locale', { locale: 'English!' }, 'locale'],
    ])('rejects %s with a ConfigError naming the field', (_what, override, path) => {
      // Prepare
      const input = { ...MINIMAL, ...override };

      // Act
      const error = configError(input);

      // Assess
      expect(error.path).toBe(path);
      expect(error.message).toContain(path);
    });

    it('names the missing field when a required one is absent', () => {
      // Prepare
      const { name: _name, ...input } = MINIMAL;

      // Act
      const error = configError(input);

      // Assess
      expect(error.path).toBe('name');
    });

    it('names (root) when the input is not an object', () => {
      // Prepare
      const input = 'acme';

      // Act
      const error = configError(input);

      // Assess
      expect(error.path).toBe('(root)');
    });

    it.each([
      [{ quietHour: { start: '22:00' } }, 'quietHour'],
      [{ birthdays: { hour: 9, delivry: 'dm' } }, 'birthdays.delivry'],
      [{ platform: { kind: 'generic', botToken: 'x' } }, 'platform.botToken'],
    ])('refuses a misspelled or unknown key instead of falling back to defaults (%j)', (extra, path) => {
      // Act
      const error = configError({ ...MINIMAL, ...extra });

      // Assess
      expect(error.path).toBe(path);
      expect(error.message).toContain(`Unrecognized key`);
    });
  });
  describe('Templates and drip steps', () => {
    it('accepts a community template for a shipped name and for a custom step', () => {
      // Prepare
      const input = {
        ...MINIMAL,
        onboarding: { rulesUrl: 'https://acme.example/rules', steps: [{ afterDays: 2, template: 'tour' }] },
        templates: {
          'zh-CN': { welcome: '欢迎 {name}！群规：{rulesUrl}', tour: '{name}，第 {days} 天' },
          en: {
            birthday: 'Happy birthday {name} from {community}!',
            'onboarding.introduce': 'Day {days}, {name}: {about}',
          },
        },
      };

      // Act
      const config = parseCommunityConfig(input);

      // Assess
      expect(config.templates['zh-CN'].tour).toBe('{name}，第 {days} 天');
      expect(config.onboarding.steps).toEqual([{ afterDays: 2, template: 'tour' }]);
    });

    it.each([
      [
        'an unknown variable',
        { templates: { en: { welcome: 'Hi {nmae}!' } } },
        'templates.en.welcome',
        'unknown variable {nmae}',
      ],
      [
        'a variable another template has',
        { templates: { en: { birthday: 'Happy {days}!' } } },
        'templates.en.birthday',
        'unknown variable {days}',
      ],
      [
        'an invite link with no link template',
        { templates: { en: { winback: 'Bring a friend: {inviteLink}' } } },
        'templates.en.winback',
        'referrals.linkTemplate is not set',
      ],
      [
        'a rules link with no rules URL',
        { templates: { en: { welcome: 'Rules: {rulesUrl}' } } },
        'templates.en.welcome',
        'onboarding.rulesUrl is not set',
      ],
      [
        'a step naming a template nobody wrote',
        { onboarding: { steps: [{ afterDays: 2, template: 'tour' }] } },
        'onboarding.steps.0.template',
        'no template "tour"',
      ],
      [
        'a step naming a template that is not for the drip',
        { onboarding: { steps: [{ afterDays: 1, template: 'reply.invite' }] } },
        'onboarding.steps.0.template',
        'not a drip template',
      ],
      [
        'a birthday hour in quiet hours that last past midnight',
        { birthdays: { hour: 22 } },
        'birthdays.hour',
        'falls in quiet hours (22:00–08:00)',
      ],
      [
        'steps out of order',
        {
          onboarding: {
            steps: [
              { afterDays: 3, template: 'onboarding.thisWeek' },
              { afterDays: 1, template: 'onboarding.introduce' },
            ],
          },
        },
        'onboarding.steps',
        'increasing',
      ],
    ])('rejects %s, naming the field', (_what, override, path, message) => {
      // Act
      const error = configError({ ...MINIMAL, ...override });

      // Assess
      expect(error.path).toBe(path);
      expect(error.message).toContain(message);
    });
  });

  describe('Anniversaries and holidays', () => {
    it('accepts holidays every year and on a dated year, filling hour and audience', () => {
      // Act
      const config = parseCommunityConfig({
        ...MINIMAL,
        holidays: [
          { date: '01-01', template: 'holiday.newYear' },
          { date: '2027-02-06', template: 'holiday.springFestival', audience: 'members', hour: 10 },
          { date: '2027-09-15', template: 'holiday.midAutumn', channel: 'C9' },
        ],
      });

      // Assess
      expect(config.holidays).toEqual([
        { date: '01-01', template: 'holiday.newYear', hour: 9, audience: 'channel' },
        { date: '2027-02-06', template: 'holiday.springFestival', hour: 10, audience: 'members' },
        { date: '2027-09-15', template: 'holiday.midAutumn', hour: 9, audience: 'channel', channel: 'C9' },
      ]);
    });

    it('accepts a holiday text of the community, with {name} for members', () => {
      // Act
      const config = parseCommunityConfig({
        ...MINIMAL,
        holidays: [{ date: '05-20', template: 'holiday.founding', audience: 'members' }],
        templates: { 'zh-CN': { 'holiday.founding': '{name}，{community}成立纪念日快乐！' } },
      });

      // Assess
      expect(config.holidays[0].template).toBe('holiday.founding');
    });

    it.each([
      [
        'a date that is never a date',
        { holidays: [{ date: '02-30', template: 'holiday' }] },
        'holidays.0.date',
        'not a calendar date',
      ],
      [
        'a dated year without that day',
        { holidays: [{ date: '2027-02-29', template: 'holiday' }] },
        'holidays.0.date',
        'not a date in that year',
      ],
      [
        'a text nobody wrote',
        { holidays: [{ date: '05-20', template: 'holiday.founding' }] },
        'holidays.0.template',
        'no template "holiday.founding"',
      ],
      [
        'a shipped text that is not a holiday one',
        { holidays: [{ date: '05-20', template: 'welcome' }] },
        'holidays.0.template',
        'not a holiday text',
      ],
      [
        'a channel post whose text names a member',
        {
          holidays: [{ date: '05-20', template: 'holiday.founding' }],
          templates: { 'zh-CN': { 'holiday.founding': '{name}，节日快乐' } },
        },
        'holidays.0.template',
        'cannot use {name}',
      ],
      [
        'a holiday hour in quiet hours past midnight',
        { holidays: [{ date: '01-01', template: 'holiday', hour: 23 }] },
        'holidays.0.hour',
        'falls in quiet hours',
      ],
      [
        'the same holiday twice',
        {
          holidays: [
            { date: '01-01', template: 'holiday' },
            { date: '01-01', template: 'holiday', hour: 10 },
          ],
        },
        'holidays.1.date',
        'listed twice',
      ],
      [
        'an anniversary hour in quiet hours',
        { anniversaries: { hour: 23 } },
        'anniversaries.hour',
        'falls in quiet hours',
      ],
      [
        'an anniversary year listed twice',
        { anniversaries: { years: [1, 1] } },
        'anniversaries.years',
        'must not repeat',
      ],
      [
        'an unknown audience',
        { holidays: [{ date: '01-01', template: 'holiday', audience: 'all' }] },
        'holidays.0.audience',
        '',
      ],
    ])('rejects %s, naming the field', (_what, override, path, message) => {
      // Act
      const error = configError({ ...MINIMAL, ...override });

      // Assess
      expect(error.path).toBe(path);
      expect(error.message).toContain(message);
    });
  });

  describe('Referrals, points and tiers', () => {
    it.each([
      [
        'a tier that asks less than the one below it',
        { tiers: { core: { activeDays: 3 } } },
        'tiers.core.activeDays',
        "must be at least active's (4)",
      ],
      [
        'more active days than the window has',
        { referrals: { qualify: { activeDays: 5, withinDays: 3 } } },
        'referrals.qualify.activeDays',
        'cannot be more than qualify.withinDays',
      ],
      ['a negative cap', { points: { dailyCap: -1 } }, 'points.dailyCap', ''],
      ['an unknown level-up delivery', { points: { levelUp: 'email' } }, 'points.levelUp', ''],
      ['an unknown threshold', { tiers: { active: { karma: 3 } } }, 'tiers.active.karma', 'Unrecognized key'],
      ['a tier window longer than 28 days', { tiers: { regular: { activeDays: 29 } } }, 'tiers.regular.activeDays', ''],
    ])('rejects %s, naming the field', (_what, override, path, message) => {
      // Act
      const error = configError({ ...MINIMAL, ...override });

      // Assess
      expect(error.path).toBe(path);
      expect(error.message).toContain(message);
    });
  });
});
