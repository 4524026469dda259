import { describe, expect, it } from 'vitest';
import { ConfigError, parseCommunityConfig } from '../../shared/domain/config';
import type { CalendarEntry } from '../../shared/workflows/calendar/config';
import { nextOccurrences, occurrencesBetween, ruleProblem } from '../../shared/workflows/calendar/occurrences';
import { communityConfig } from '../support/fixtures';

const entry = (fields: Partial<CalendarEntry>): CalendarEntry => ({
  id: 'e',
  template: 'topic',
  skip: [],
  reminders: [],
  ...fields,
});
const utc = (iso: string) => new Date(iso);
/** The UTC instants of an entry's posts between two instants. */
const posts = (e: CalendarEntry, zone: string, from: string, to: string) =>
  occurrencesBetween(e, zone, utc(from), utc(to)).map((o) => `${o.local} ${o.at.toISOString()}`);

describe('Calendar occurrences across DST', () => {
  const daily0230 = entry({ rrule: 'FREQ=DAILY;BYHOUR=2;BYMINUTE=30', start: '2026-01-01' });

  it('America/New_York: a 02:30 daily post skips the spring gap; a 01:30 one goes once on the repeated autumn night', () => {
    // Act / Assess: 8 March 2026 has no 02:30. On 1 November 01:00–02:00 happens twice (02:30 once, in EST).
    expect(posts(daily0230, 'America/New_York', '2026-03-07T00:00:00Z', '2026-03-10T00:00:00Z')).toEqual([
      '2026-03-07T02:30 2026-03-07T07:30:00.000Z',
      '2026-03-09T02:30 2026-03-09T06:30:00.000Z',
    ]);
    expect(posts(daily0230, 'America/New_York', '2026-10-31T00:00:00Z', '2026-11-03T00:00:00Z')).toEqual([
      '2026-10-31T02:30 2026-10-31T06:30:00.000Z',
      '2026-11-01T02:30 2026-11-01T07:30:00.000Z',
      '2026-11-02T02:30 2026-11-02T07:30:00.000Z',
    ]);
    const daily0130 = entry({ rrule: 'FREQ=DAILY;BYHOUR=1;BYMINUTE=30', start: '2026-01-01' });
    // The first 01:30 (EDT, 05:30 UTC), not the second (EST, 06:30 UTC).
    expect(posts(daily0130, 'America/New_York', '2026-10-31T12:00:00Z', '2026-11-02T12:00:00Z')).toEqual([
      '2026-11-01T01:30 2026-11-01T05:30:00.000Z',
      '2026-11-02T01:30 2026-11-02T06:30:00.000Z',
    ]);
  });

  it('Europe/Berlin: 02:30 skipped on 29 March 2026, and once, at the first, on 25 October (02:00–03:00 twice)', () => {
    // Act / Assess
    expect(posts(daily0230, 'Europe/Berlin', '2026-03-28T00:00:00Z', '2026-03-31T00:00:00Z')).toEqual([
      '2026-03-28T02:30 2026-03-28T01:30:00.000Z',
      '2026-03-30T02:30 2026-03-30T00:30:00.000Z',
    ]);
    expect(posts(daily0230, 'Europe/Berlin', '2026-10-24T00:00:00Z', '2026-10-27T00:00:00Z')).toEqual([
      '2026-10-24T02:30 2026-10-24T00:30:00.000Z',
      '2026-10-25T02:30 2026-10-25T00:30:00.000Z',
      '2026-10-26T02:30 2026-10-26T01:30:00.000Z',
    ]);
  });

  it('keeps a weekly hour in local time across the change: 17:00 Friday is 21:00 UTC, then 22:00', () => {
    // Act / Assess
    const friday = entry({ rrule: 'FREQ=WEEKLY;BYDAY=FR;BYHOUR=17;BYMINUTE=0', start: '2026-10-01' });
    expect(posts(friday, 'America/New_York', '2026-10-25T00:00:00Z', '2026-11-08T00:00:00Z')).toEqual([
      '2026-10-30T17:00 2026-10-30T21:00:00.000Z',
      '2026-11-06T17:00 2026-11-06T22:00:00.000Z',
    ]);
  });

  it('moves a one-off post in the spring gap past it, and takes the first of a repeated time', () => {
    // Act / Assess
    expect(
      posts(entry({ at: '2026-03-08T02:30' }), 'America/New_York', '2026-03-08T00:00:00Z', '2026-03-09T00:00:00Z'),
    ).toEqual(['2026-03-08T03:30 2026-03-08T07:30:00.000Z']);
    expect(
      posts(entry({ at: '2026-11-01T01:30' }), 'America/New_York', '2026-11-01T00:00:00Z', '2026-11-02T00:00:00Z'),
    ).toEqual(['2026-11-01T01:30 2026-11-01T05:30:00.000Z']);
  });
});

describe('Calendar recurrences', () => {
  it('leaves out skip days and stops after until', () => {
    // Prepare
    const friday = entry({
      rrule: 'FREQ=WEEKLY;BYDAY=FR;BYHOUR=17;BYMINUTE=0',
      start: '2026-12-01',
      skip: ['2026-12-25'],
      until: '2027-01-08',
    });

    // Act
    const next = nextOccurrences([friday], 'Asia/Shanghai', utc('2026-12-01T00:00:00Z'), 10);

    // Assess
    expect(next.map((o) => o.local)).toEqual([
      '2026-12-04T17:00',
      '2026-12-11T17:00',
      '2026-12-18T17:00',
      '2027-01-01T17:00',
      '2027-01-08T17:00',
    ]);
    expect(next[0].at.toISOString()).toBe('2026-12-04T09:00:00.000Z');
  });

  it('lists the next posts of every entry in order, a one-off among them, from the time given', () => {
    // Prepare
    const entries = [
      entry({ id: 'topic', rrule: 'FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0', start: '2026-12-01' }),
      entry({ id: 'ama', rrule: 'FREQ=MONTHLY;BYDAY=1TH;BYHOUR=20;BYMINUTE=0', start: '2026-12-01' }),
      entry({ id: 'launch', at: '2026-12-09T12:00' }),
    ];

    // Act
    const next = nextOccurrences(entries, 'Europe/Berlin', utc('2026-12-02T00:00:00Z'), 5);

    // Assess
    expect(next.map((o) => `${o.entry} ${o.local}`)).toEqual([
      'ama 2026-12-03T20:00',
      'topic 2026-12-07T09:00',
      'launch 2026-12-09T12:00',
      'topic 2026-12-14T09:00',
      'topic 2026-12-21T09:00',
    ]);
  });

  it('names what the library refuses in a rule the config shape let through', () => {
    // Act / Assess: BYSETPOS of 0 has the shape, but RFC 5545 forbids it.
    expect(
      ruleProblem(entry({ rrule: 'FREQ=MONTHLY;BYDAY=MO;BYSETPOS=0;BYHOUR=9', start: '2026-12-01' }), 'UTC'),
    ).toMatch(/BYSETPOS|0/);
    expect(ruleProblem(entry({ rrule: 'FREQ=DAILY;BYHOUR=9', start: '2026-12-01' }), 'UTC')).toBeUndefined();
  });
});

describe('Calendar campaigns', () => {
  it("posts a campaign's reminders a day and an hour before it, a day back keeping its wall-clock time across DST", () => {
    // Prepare: New York's clocks go back on 1 November 2026, between the day-before reminder and the event.
    const launch = entry({ id: 'launch', at: '2026-11-01T12:00', reminders: ['-P1D', '-PT1H'] });

    // Act
    const all = occurrencesBetween(
      launch,
      'America/New_York',
      utc('2026-10-30T00:00:00Z'),
      utc('2026-11-02T00:00:00Z'),
    );

    // Assess: 12:00 EDT the day before, 11:00 EST and 12:00 EST on the day.
    expect(all.map((o) => [o.reminder ?? 'event', o.local, o.at.toISOString()])).toEqual([
      ['-P1D', '2026-10-31T12:00', '2026-10-31T16:00:00.000Z'],
      ['-PT1H', '2026-11-01T11:00', '2026-11-01T16:00:00.000Z'],
      ['event', '2026-11-01T12:00', '2026-11-01T17:00:00.000Z'],
    ]);
    expect(
      nextOccurrences([launch], 'America/New_York', utc('2026-11-01T15:30:00Z'), 5).map((o) => o.reminder ?? 'event'),
    ).toEqual(['-PT1H', 'event']);
  });
});

describe('Calendar config', () => {
  const withTopic = { templates: { en: { topic: 'Topic of the week: tell us what you are building.' } }, locale: 'en' };
  const problems = (calendar: unknown[]) => {
    try {
      communityConfig({ ...withTopic, calendar });
      return [];
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      return [error.message];
    }
  };

  it('takes a weekly post and a one-off, with their defaults', () => {
    // Act
    const config = communityConfig({
      ...withTopic,
      calendar: [
        {
          id: 'topic',
          template: 'topic',
          owner: 'Ana',
          rrule: 'FREQ=WEEKLY;BYDAY=FR;BYHOUR=17;BYMINUTE=0',
          start: '2026-12-01',
        },
        { id: 'launch', template: 'topic', at: '2026-12-09T12:00', channel: 'news' },
      ],
    });

    // Assess
    expect(config.calendar).toEqual([
      {
        id: 'topic',
        template: 'topic',
        owner: 'Ana',
        rrule: 'FREQ=WEEKLY;BYDAY=FR;BYHOUR=17;BYMINUTE=0',
        start: '2026-12-01',
        skip: [],
        reminders: [],
      },
      {
        id: 'launch',
        template: 'topic',
        at: '2026-12-09T12:00',
        channel: 'news',
        skip: [],
        reminders: [],
      },
    ]);
    expect(parseCommunityConfig({ ...config }).calendar).toHaveLength(2);
  });

  it('names the field of each mistake', () => {
    // Act / Assess
    expect(problems([{ id: 'a', template: 'topic' }])).toEqual([
      'calendar.0.at: an entry needs a local date-time (at) or a recurrence (rrule)',
    ]);
    expect(problems([{ id: 'a', template: 'topic', rrule: 'FREQ=WEEKLY;BYDAY=FR;BYHOUR=17' }])).toEqual([
      'calendar.0.start: a recurrence needs the day it applies from (start)',
    ]);
    expect(problems([{ id: 'a', template: 'topic', rrule: 'FREQ=HOURLY;BYHOUR=17', start: '2026-12-01' }])[0]).toMatch(
      /^calendar\.0\.rrule: must be an RRULE of FREQ \(DAILY, WEEKLY, MONTHLY or YEARLY\)/,
    );
    expect(problems([{ id: 'a', template: 'topic', rrule: 'FREQ=WEEKLY;BYDAY=FR', start: '2026-12-01' }])).toEqual([
      'calendar.0.rrule: must name the hour it posts at (BYHOUR, and BYMINUTE unless on the hour)',
    ]);
    expect(problems([{ id: 'a', template: 'topic', at: '2026-02-30T12:00' }])).toEqual([
      'calendar.0.at: is not a date',
    ]);
    expect(problems([{ id: 'a', template: 'missing', at: '2026-12-09T12:00' }])).toEqual([
      'calendar.0.template: no template "missing": write it under templates.en',
    ]);
    expect(
      problems([
        { id: 'a', template: 'topic', at: '2026-12-09T12:00' },
        { id: 'a', template: 'topic', at: '2026-12-10T12:00' },
      ]),
    ).toEqual(['calendar: must not repeat an entry id']);
    expect(problems([{ id: 'a', template: 'topic', at: '2026-12-09T12:00', reminders: ['P1D'] }])).toEqual([
      'calendar.0.reminders.0: must be a duration before the event, such as -P1D or -PT1H',
    ]);
    expect(
      problems([
        { id: 'a', template: 'topic', rrule: 'FREQ=DAILY;BYHOUR=9', start: '2026-12-01', reminders: ['-PT1H'] },
      ]),
    ).toEqual(['calendar.0.reminders: reminders belong to one post (at), an event']);
    // Quiet hours default to 22:00–08:00: a post at 23:00 would wait past its day.
    expect(problems([{ id: 'a', template: 'topic', at: '2026-12-09T23:00' }])[0]).toMatch(
      /^calendar\.0\.at: posts at 23:00-23:59, in quiet hours/,
    );
  });
});
