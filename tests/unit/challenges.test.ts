import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../shared/domain/config';
import {
  challengeDay,
  holdsKeyword,
  lastDayOf,
  progressOf,
  promptsBetween,
} from '../../shared/workflows/calendar/challenges';
import { communityConfig } from '../support/fixtures';

const RUN = { id: 'run', start: '2027-03-12', days: 7, hour: 2, template: 'challenge.prompt', points: 50 };

describe('Check-in challenges: the rules', () => {
  it('numbers the challenge days from its start and knows its last day', () => {
    expect(challengeDay(RUN, '2027-03-11')).toBeUndefined();
    expect(challengeDay(RUN, '2027-03-12')).toBe(1);
    expect(challengeDay(RUN, '2027-03-18')).toBe(7);
    expect(challengeDay(RUN, '2027-03-19')).toBeUndefined();
    expect(lastDayOf(RUN)).toBe('2027-03-18');
  });

  it('makes streaks of consecutive days in any order, and a missed day starts a new one', () => {
    expect(progressOf([])).toEqual({ count: 0, streak: 0, best: 0, lastDay: '' });
    expect(progressOf(['2027-03-14', '2027-03-12', '2027-03-13'])).toEqual({
      count: 3,
      streak: 3,
      best: 3,
      lastDay: '2027-03-14',
    });
    // 12, 13, 14, then 16 after a missed 15th: the current streak is 1, the best 3.
    expect(progressOf(['2027-03-12', '2027-03-13', '2027-03-14', '2027-03-16'])).toMatchObject({
      count: 4,
      streak: 1,
      best: 3,
    });
    // Across a month's end and with a day given twice.
    expect(progressOf(['2027-02-28', '2027-03-01', '2027-03-01'])).toMatchObject({ count: 2, streak: 2 });
  });

  it('takes a Latin keyword as a whole word in any case, a CJK one anywhere', () => {
    const run = { keyword: 'Run' };
    expect(holdsKeyword(run, 'morning RUN!')).toBe(true);
    expect(holdsKeyword(run, '#run day 3')).toBe(true);
    expect(holdsKeyword(run, 'running late')).toBe(false);
    expect(holdsKeyword(run, 'rerun')).toBe(false);
    expect(holdsKeyword({ keyword: '打卡' }, '今天打卡完成')).toBe(true);
    expect(holdsKeyword({ keyword: '打卡' }, '今天完成')).toBe(false);
    expect(holdsKeyword({}, 'run')).toBe(false);
    expect(holdsKeyword(run, undefined)).toBe(false);
  });

  it('posts a prompt every day at its hour, moved past a spring-forward gap (New York, 14 March 2027)', () => {
    // Act: 02:00 does not exist on 14 March 2027 in New York (clocks go from 02:00 to 03:00).
    const prompts = promptsBetween(
      RUN,
      'America/New_York',
      new Date('2027-03-12T00:00:00Z'),
      new Date('2027-03-20T00:00:00Z'),
    );

    // Assess: seven prompts, one each local day; EST (UTC-5) before the change, EDT (UTC-4) after.
    expect(prompts.map((p) => [p.day, p.localDay, p.at.toISOString()])).toEqual([
      [1, '2027-03-12', '2027-03-12T07:00:00.000Z'],
      [2, '2027-03-13', '2027-03-13T07:00:00.000Z'],
      [3, '2027-03-14', '2027-03-14T07:00:00.000Z'],
      [4, '2027-03-15', '2027-03-15T06:00:00.000Z'],
      [5, '2027-03-16', '2027-03-16T06:00:00.000Z'],
      [6, '2027-03-17', '2027-03-17T06:00:00.000Z'],
      [7, '2027-03-18', '2027-03-18T06:00:00.000Z'],
    ]);
  });
});

describe('Check-in challenges: the config', () => {
  const problems = (challenges: unknown[], extra: Record<string, unknown> = {}) => {
    try {
      communityConfig({ challenges, ...extra });
      return [];
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      return [error.message];
    }
  };

  it('takes a challenge with its defaults', () => {
    const config = communityConfig({ challenges: [{ id: 'run-7', start: '2026-12-07', days: 7 }] });
    expect(config.challenges).toEqual([
      { id: 'run-7', start: '2026-12-07', days: 7, hour: 9, template: 'challenge.prompt', points: 50 },
    ]);
  });

  it('names the field of what it refuses', () => {
    expect(problems([{ id: 'run', start: '2026-12-07', days: 0 }]).join()).toMatch(/challenges\.0\.days/);
    expect(problems([{ id: 'run', start: '2026-02-30', days: 7 }]).join()).toMatch(/challenges\.0\.start/);
    expect(problems([{ id: 'run', start: '2026-12-07', days: 7, keyword: '/run' }]).join()).toMatch(
      /challenges\.0\.keyword/,
    );
    expect(
      problems([{ id: 'run', start: '2026-12-07', days: 7, hour: 23 }], {
        quietHours: { start: '22:00', end: '08:00' },
      }).join(),
    ).toMatch(/challenges\.0\.hour: is in quiet hours/);
    expect(
      problems([{ id: 'run', start: '2026-12-07', days: 7 }], {
        locale: 'en',
        templates: { en: { topic: 'Topic' } },
        calendar: [{ id: 'run', template: 'topic', at: '2026-12-09T12:00' }],
      }).join(),
    ).toMatch(/challenges\.0\.id: is the id of a calendar entry too/);
    expect(problems([{ id: 'run', start: '2026-12-07', days: 7, template: 'no-such' }]).join()).toMatch(
      /challenges\.0\.template/,
    );
  });
});
