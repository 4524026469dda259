import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { capWait, pruneLedger, quietUntil } from '../../shared/domain/guardrails';
import {
  candidateDates,
  endOfLocalDay,
  greetingMonthDay,
  localHourOn,
  monthDaysToQuery,
} from '../../shared/domain/lifecycle';
import { addDays } from '../../shared/domain/time';

const QUIET = { start: '22:00', end: '08:00' };
const ZONES = [
  'Asia/Shanghai',
  'America/New_York',
  'Pacific/Kiritimati',
  'Pacific/Pago_Pago',
  'Etc/GMT+12',
  'Pacific/Chatham',
  'Asia/Kathmandu',
  'Asia/Kolkata',
  'UTC',
];

describe('Module: lifecycle time', () => {
  describe('Function: greetingMonthDay', () => {
    it.each([
      ['02-29', 2027, '02-28'],
      ['2000-02-29', 2027, '02-28'],
      ['02-29', 2028, '02-29'],
      ['02-28', 2028, '02-28'],
      ['03-14', 2027, '03-14'],
    ])('greets %s in %i on %s', (birthday, year, expected) => {
      // Act
      const result = greetingMonthDay(birthday, year);

      // Assess
      expect(result).toBe(expected);
    });
  });

  describe('Function: localHourOn', () => {
    it.each([
      ['2026-03-14', 'Asia/Shanghai', '2026-03-14T01:00:00.000Z'],
      // New York on the day DST starts (02:00 → 03:00) and the day it ends (02:00 → 01:00).
      ['2026-03-07', 'America/New_York', '2026-03-07T14:00:00.000Z'],
      ['2026-03-08', 'America/New_York', '2026-03-08T13:00:00.000Z'],
      ['2026-10-31', 'America/New_York', '2026-10-31T13:00:00.000Z'],
      ['2026-11-01', 'America/New_York', '2026-11-01T14:00:00.000Z'],
      // UTC+14: 09:00 local is still the previous UTC day; UTC−11: 09:00 local is 20:00Z.
      ['2026-03-14', 'Pacific/Kiritimati', '2026-03-13T19:00:00.000Z'],
      ['2026-03-14', 'Pacific/Pago_Pago', '2026-03-14T20:00:00.000Z'],
      // Half-hour zone.
      ['2026-03-14', 'Asia/Kolkata', '2026-03-14T03:30:00.000Z'],
    ])('puts 09:00 on %s in %s at %s', (day, zone, expected) => {
      // Act
      const at = localHourOn(day, 9, zone);

      // Assess
      expect(at.toISOString()).toBe(expected);
    });

    it('moves an hour that DST skips forward to the first hour that exists', () => {
      // Act: 02:00 does not exist in New York on 2026-03-08.
      const at = localHourOn('2026-03-08', 2, 'America/New_York');

      // Assess: 03:00 EDT.
      expect(at.toISOString()).toBe('2026-03-08T07:00:00.000Z');
    });
  });

  describe('Function: endOfLocalDay', () => {
    it.each([
      ['2026-03-08', 'America/New_York', '2026-03-09T04:00:00.000Z'],
      ['2026-11-01', 'America/New_York', '2026-11-02T05:00:00.000Z'],
      ['2026-03-14', 'Pacific/Kiritimati', '2026-03-14T10:00:00.000Z'],
    ])('ends %s in %s at %s', (day, zone, expected) => {
      // Act
      const end = endOfLocalDay(day, zone);

      // Assess
      expect(end.toISOString()).toBe(expected);
    });
  });

  describe('Function: candidateDates', () => {
    it('holds the local date of every greeting that falls in the window, in every zone', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2029-01-01T00:00:00Z') }),
          fc.integer({ min: 0, max: 23 }),
          fc.constantFrom(...ZONES),
          (start, hour, zone) => {
            // Prepare: a two-hour window, and the greeting of the local date around it.
            const from = new Date(start);
            const to = new Date(start + 2 * 3_600_000);
            const around = DateTime.fromJSDate(from, { zone });

            // Act
            const dates = candidateDates(from, to, [hour]);

            // Assess: any local date whose greeting instant lands in the window is a candidate.
            for (const offset of [-1, 0, 1]) {
              const day = around.plus({ days: offset }).toISODate() as string;
              const at = localHourOn(day, hour, zone);
              if (at >= from && at < to) expect(dates).toContain(day);
            }
          },
        ),
        { numRuns: 500 },
      );
    });

    it('names at most three dates for a two-hour window', () => {
      // Act
      const dates = candidateDates(new Date('2026-11-26T00:00:00Z'), new Date('2026-11-26T02:00:00Z'), [9]);

      // Assess
      expect(dates.length).toBeGreaterThan(0);
      expect(dates.length).toBeLessThanOrEqual(3);
    });
  });

  describe('Function: monthDaysToQuery', () => {
    it('adds 02-29 beside 28 February in years without a 29th, and not in leap years', () => {
      // Act
      const common = monthDaysToQuery(['2027-02-28', '2027-03-01']);
      const leap = monthDaysToQuery(['2028-02-28']);

      // Assess
      expect(common).toEqual(['02-28', '02-29', '03-01']);
      expect(leap).toEqual(['02-28']);
    });
  });

  describe('Function: addDays', () => {
    it('crosses month and year ends', () => {
      // Assess
      expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
      expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
      expect(addDays('2026-11-25', -14)).toBe('2026-11-11');
    });
  });

  describe('Function: quietUntil', () => {
    it.each([
      // Shanghai is UTC+8: 23:00 local waits for 08:00 the next morning; 07:59 for 08:00 that morning.
      ['2026-11-25T15:00:00Z', 'Asia/Shanghai', '2026-11-26T00:00:00.000Z'],
      ['2026-11-25T23:59:00Z', 'Asia/Shanghai', '2026-11-26T00:00:00.000Z'],
      ['2026-11-26T00:00:00Z', 'Asia/Shanghai', undefined],
      ['2026-11-25T13:59:00Z', 'Asia/Shanghai', undefined],
      // New York, the night DST ends (2026-11-01): 23:00 EDT waits until 08:00 EST, 10 hours later.
      ['2026-11-01T03:00:00Z', 'America/New_York', '2026-11-01T13:00:00.000Z'],
      // The night DST starts (2026-03-08): 23:00 EST waits until 08:00 EDT, 8 hours later.
      ['2026-03-08T04:00:00Z', 'America/New_York', '2026-03-08T12:00:00.000Z'],
      // UTC+14 and UTC−11.
      ['2026-11-25T09:00:00Z', 'Pacific/Kiritimati', '2026-11-25T18:00:00.000Z'],
      ['2026-11-25T10:00:00Z', 'Pacific/Pago_Pago', '2026-11-25T19:00:00.000Z'],
    ])('at %s in %s waits until %s', (now, zone, expected) => {
      // Act
      const until = quietUntil(new Date(now), zone, QUIET);

      // Assess
      expect(until?.toISOString()).toBe(expected);
    });

    it('has no quiet hours when start and end are equal, and handles a window within one day', () => {
      // Act
      const none = quietUntil(new Date('2026-11-25T15:00:00Z'), 'Asia/Shanghai', { start: '00:00', end: '00:00' });
      const lunch = quietUntil(new Date('2026-11-25T04:30:00Z'), 'Asia/Shanghai', { start: '12:00', end: '13:30' });

      // Assess
      expect(none).toBeUndefined();
      expect(lunch?.toISOString()).toBe('2026-11-25T05:30:00.000Z');
    });
  });

  describe('Function: capWait', () => {
    const NOW = new Date('2026-11-25T12:00:00Z');
    const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000).toISOString();
    const caps = { perDay: 1, perWeek: 3 };

    it('lets the first message go', () => {
      // Assess
      expect(capWait({}, 'a', NOW, caps)).toBeUndefined();
    });

    it('holds a second message in 24 hours until the first is a day old', () => {
      // Act
      const until = capWait({ a: hoursAgo(2) }, 'b', NOW, caps);

      // Assess
      expect(until?.toISOString()).toBe('2026-11-26T10:00:00.000Z');
    });

    it('holds a fourth message in a week until the oldest of the three is a week old', () => {
      // Act
      const until = capWait({ a: hoursAgo(24 * 6), b: hoursAgo(24 * 4), c: hoursAgo(30) }, 'd', NOW, caps);

      // Assess
      expect(until?.toISOString()).toBe('2026-11-26T12:00:00.000Z');
    });

    it('lets a message already counted go again (a retry, or the DM copy of a greeting)', () => {
      // Assess
      expect(capWait({ a: hoursAgo(1) }, 'a', NOW, caps)).toBeUndefined();
    });

    it('counts a slot stamped after now: another dispatcher run, started later, reserved it', () => {
      // Act
      const until = capWait({ a: new Date(NOW.getTime() + 30_000).toISOString() }, 'b', NOW, caps);

      // Assess
      expect(until?.toISOString()).toBe('2026-11-26T12:00:30.000Z');
    });

    it('forgets sends older than a week', () => {
      // Act
      const pruned = pruneLedger({ old: hoursAgo(24 * 7 + 1), recent: hoursAgo(1) }, NOW);

      // Assess
      expect(Object.keys(pruned)).toEqual(['recent']);
    });
  });
});
