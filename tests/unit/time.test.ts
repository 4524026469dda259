import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { quietUntil } from '../../shared/domain/guardrails';
import { endOfLocalDay, localHourOn } from '../../shared/domain/lifecycle';
import {
  addDays,
  dayIn,
  daysBetween,
  daysOfIsoWeek,
  isDay,
  isoWeekOf,
  isTimeZone,
  unixSeconds,
} from '../../shared/domain/time';

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

describe('Calendar arithmetic (against luxon)', () => {
  const anyDay = fc
    .integer({ min: Date.UTC(1971, 0, 1), max: Date.UTC(2099, 11, 31) })
    .map((ms) => new Date(ms).toISOString().slice(0, 10));

  it('adds days, counts days and names ISO weeks as luxon does, and finds each week from its name', () => {
    fc.assert(
      fc.property(anyDay, fc.integer({ min: -800, max: 800 }), (day, n) => {
        const luxon = DateTime.fromISO(day, { zone: 'utc' });
        expect(addDays(day, n)).toBe(luxon.plus({ days: n }).toISODate());
        expect(daysBetween(day, addDays(day, n))).toBe(n);
        const week = isoWeekOf(day);
        expect(week).toBe(luxon.toFormat("kkkk-'W'WW"));
        expect(daysOfIsoWeek(week)).toEqual({
          monday: luxon.startOf('week').toISODate(),
          sunday: luxon.endOf('week').toISODate(),
        });
      }),
      { numRuns: 500 },
    );
  });

  it('knows which days exist: 29 February only in leap years, no 31st of a 30-day month', () => {
    expect([isDay('2028-02-29'), isDay('2027-02-29'), isDay('2000-02-29'), isDay('1900-02-29')]).toEqual([
      true,
      false,
      true,
      false,
    ]);
    expect([isDay('2026-04-31'), isDay('2026-13-01'), isDay('2026-00-10'), isDay('2026-1-01')]).toEqual([
      false,
      false,
      false,
      false,
    ]);
    expect(daysOfIsoWeek('2027-W53')).toBeUndefined();
    expect(daysOfIsoWeek('2026-W53')).toEqual({ monday: '2026-12-28', sunday: '2027-01-03' });
    expect(daysOfIsoWeek('2026-W00')).toBeUndefined();
  });

  it('accepts the zones the runtime knows and nothing else', () => {
    expect(['Asia/Kathmandu', 'America/Argentina/Buenos_Aires', 'UTC', 'Etc/GMT+5'].map(isTimeZone)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(['Mars/Olympus', 'GMT+25', '', 'Asia/'].map(isTimeZone)).toEqual([false, false, false, false]);
  });
});

describe('Local hours (against luxon)', () => {
  const zones = ['America/New_York', 'America/Santiago', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Europe/London'];
  const anyDay = fc
    .integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 11, 31) })
    .map((ms) => new Date(ms).toISOString().slice(0, 10));

  it('puts every hour of every DST-change day from 2020 to 2030 where luxon does, in five zones', () => {
    // The days on which a zone's offset changes, found with luxon (the oracle), then every hour of each.
    const changes: Array<[string, string]> = [];
    for (const zone of zones) {
      for (let day = DateTime.fromISO('2020-01-01', { zone }); day.year <= 2030; day = day.plus({ days: 1 })) {
        if (day.offset !== day.plus({ days: 1 }).offset) changes.push([day.toISODate() as string, zone]);
      }
    }
    expect(changes.length).toBeGreaterThan(80);
    for (const [day, zone] of changes) {
      for (let hour = 0; hour < 24; hour++) {
        const expected = DateTime.fromISO(day, { zone }).set({ hour, minute: 0, second: 0, millisecond: 0 });
        expect(`${day} ${hour} ${zone} ${localHourOn(day, hour, zone).toISOString()}`).toBe(
          `${day} ${hour} ${zone} ${expected.toJSDate().toISOString()}`,
        );
      }
      expect(endOfLocalDay(day, zone).toISOString()).toBe(
        DateTime.fromISO(day, { zone }).plus({ days: 1 }).startOf('day').toJSDate().toISOString(),
      );
    }
  });

  it('puts a local hour and the end of a local day where luxon does, skipped and repeated hours included', () => {
    fc.assert(
      fc.property(anyDay, fc.integer({ min: 0, max: 23 }), fc.constantFrom(...zones), (day, hour, zone) => {
        const local = DateTime.fromISO(day, { zone });
        expect(localHourOn(day, hour, zone).toISOString()).toBe(
          local.set({ hour, minute: 0, second: 0, millisecond: 0 }).toJSDate().toISOString(),
        );
        expect(endOfLocalDay(day, zone).toISOString()).toBe(
          local.plus({ days: 1 }).startOf('day').toJSDate().toISOString(),
        );
      }),
      { numRuns: 500 },
    );
  });

  it('ends quiet hours where luxon does on those days, every quarter hour, for windows that end in a change', () => {
    // The luxon reading of quietUntil, as it stood before luxon left the Lambdas: the oracle.
    const oracle = (now: Date, zone: string, start: number, end: number) => {
      const local = DateTime.fromJSDate(now, { zone });
      const minute = local.hour * 60 + local.minute;
      const inside = start < end ? minute >= start && minute < end : minute >= start || minute < end;
      if (!inside) return undefined;
      const endDay = start > end && minute >= start ? local.plus({ days: 1 }) : local;
      return endDay
        .set({ hour: Math.floor(end / 60), minute: end % 60, second: 0, millisecond: 0 })
        .toJSDate()
        .toISOString();
    };
    const windows = [
      { start: '22:00', end: '08:00' },
      { start: '00:30', end: '02:30' },
      { start: '23:00', end: '01:30' },
    ];
    let checked = 0;
    let differed = 0;
    for (const zone of zones) {
      for (let day = DateTime.fromISO('2024-01-01', { zone }); day.year <= 2026; day = day.plus({ days: 1 })) {
        if (day.offset === day.plus({ days: 1 }).offset) continue;
        for (let t = day.minus({ hours: 3 }).toMillis(); t < day.plus({ hours: 30 }).toMillis(); t += 15 * 60_000) {
          for (const quiet of windows) {
            const [start, end] = [quiet.start, quiet.end].map(
              (hhmm) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3)),
            );
            const mine = quietUntil(new Date(t), zone, quiet)?.toISOString();
            const luxon = oracle(new Date(t), zone, start, end);
            if (mine !== luxon && mine && luxon) {
              // Where they differ, luxon carried the day before's offset into a repeated hour and chose its second
              // time; the end is its first time still ahead: the same wall clock, earlier, and after now.
              const wall = (iso: string) => DateTime.fromISO(iso, { zone }).toFormat('yyyy-MM-dd HH:mm');
              expect([wall(mine), mine < luxon, Date.parse(mine) > t]).toEqual([wall(luxon), true, true]);
              differed++;
            } else expect(mine).toBe(luxon);
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(5_000);
    expect(differed).toBeLessThan(checked / 100);
  });
});
