import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { dayIn, daysBetween, unixSeconds } from '../../shared/domain/time';

describe('Module: time', () => {
  describe('Function: dayIn', () => {
    it.each([
      // DST starts in New York at 2026-03-08 02:00 local (07:00Z).
      ['2026-03-08T04:59:00Z', 'America/New_York', '2026-03-07'],
      ['2026-03-08T05:00:00Z', 'America/New_York', '2026-03-08'],
      ['2026-03-08T06:59:00Z', 'America/New_York', '2026-03-08'],
      ['2026-03-08T07:00:00Z', 'America/New_York', '2026-03-08'],
      ['2026-03-09T03:59:00Z', 'America/New_York', '2026-03-08'],
      ['2026-03-09T04:00:00Z', 'America/New_York', '2026-03-09'],
      // UTC+14 and UTC-11 put the same instant on different days.
      ['2026-11-25T16:30:00Z', 'Pacific/Kiritimati', '2026-11-26'],
      ['2026-11-25T16:30:00Z', 'Pacific/Pago_Pago', '2026-11-25'],
      ['2026-11-25T16:30:00Z', 'UTC', '2026-11-25'],
      // Shanghai (UTC+8) changes day at 16:00Z.
      ['2026-11-25T15:59:59.999Z', 'Asia/Shanghai', '2026-11-25'],
      ['2026-11-25T16:00:00.000Z', 'Asia/Shanghai', '2026-11-26'],
      ['2026-11-25T17:30:00.000Z', 'Asia/Shanghai', '2026-11-26'],
      // Year boundary.
      ['2026-12-31T16:00:00Z', 'Asia/Shanghai', '2027-01-01'],
    ])('puts %s on the day of %s: %s', (instant, zone, day) => {
      // Act
      const result = dayIn(new Date(instant), zone);

      // Assess
      expect(result).toBe(day);
    });
  });

  describe('Function: daysBetween', () => {
    it.each([
      ['2026-10-01', '2026-10-20', 19],
      ['2026-10-20', '2026-10-01', -19],
      ['2026-10-01', '2026-10-01', 0],
      ['2026-03-07', '2026-03-09', 2],
      ['2028-02-28', '2028-03-01', 2],
      ['2026-02-28', '2026-03-01', 1],
      ['2026-12-31', '2027-01-01', 1],
      ['2026-01-01', '2027-01-01', 365],
    ])('counts from %s to %s: %i', (a, b, days) => {
      // Act + Assess
      expect(daysBetween(a, b)).toBe(days);
    });
  });

  describe('Function: unixSeconds', () => {
    it('floors to whole seconds', () => {
      // Act + Assess
      expect(unixSeconds(new Date('2026-11-25T17:30:00.999Z'))).toBe(Date.UTC(2026, 10, 25, 17, 30) / 1000);
    });
  });
});

describe('Function: dayIn (against luxon)', () => {
  const zones = [
    'Asia/Shanghai',
    'America/New_York',
    'Pacific/Kiritimati',
    'Pacific/Pago_Pago',
    'Europe/London',
    'Australia/Lord_Howe',
    'Asia/Kathmandu',
    'UTC',
  ];

  it('agrees with luxon for any instant from 1970 to 2100 in zones with odd offsets and DST', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.constantFrom(...zones), (ms, zone) => {
        const instant = new Date(ms);
        expect(dayIn(instant, zone)).toBe(DateTime.fromMillis(ms, { zone }).toISODate());
      }),
      { numRuns: 2_000 },
    );
  });
});
