import { describe, expect, it } from 'vitest';
import { daysOf, nextPeriod, parsePeriod, periodOf, previousPeriod } from '../../shared/workflows/digest/periods';

describe('Module: digest periods', () => {
  it('keys an ISO week with its ISO year, so 2026-W53 and 2027-W01 are different weeks', () => {
    // Act
    const w53 = periodOf('week', '2027-01-03');
    const w01 = nextPeriod(w53);

    // Assess
    expect(w53).toEqual({ kind: 'week', key: '2026-W53', first: '2026-12-28', last: '2027-01-03' });
    expect(w01).toEqual({ kind: 'week', key: '2027-W01', first: '2027-01-04', last: '2027-01-10' });
    expect(previousPeriod(w01)).toEqual(w53);
    expect(daysOf(w53)).toHaveLength(7);
  });

  it('parses weeks, months and quarters, and refuses a week 53 of a year that has none', () => {
    expect(parsePeriod('week', '2026-W53')?.first).toBe('2026-12-28');
    expect(parsePeriod('week', '2027-W53')).toBeUndefined();
    expect(parsePeriod('week', '2026-53')).toBeUndefined();
    expect(parsePeriod('month', '2028-02')).toEqual({
      kind: 'month',
      key: '2028-02',
      first: '2028-02-01',
      last: '2028-02-29',
    });
    expect(parsePeriod('month', '2026-13')).toBeUndefined();
    expect(parsePeriod('quarter', '2026-Q4')).toEqual({
      kind: 'quarter',
      key: '2026-Q4',
      first: '2026-10-01',
      last: '2026-12-31',
    });
    expect(parsePeriod('quarter', '2026-Q5')).toBeUndefined();
  });

  it('finds the period of a day, and the one before it across a year boundary', () => {
    expect(periodOf('month', '2026-12-31').key).toBe('2026-12');
    expect(previousPeriod(periodOf('quarter', '2027-01-01')).key).toBe('2026-Q4');
    expect(periodOf('week', '2026-01-01').key).toBe('2026-W01');
    expect(periodOf('week', '2025-12-29').key).toBe('2026-W01');
  });
});
