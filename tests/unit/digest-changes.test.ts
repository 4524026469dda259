import { describe, expect, it } from 'vitest';
import { changeOf } from '../../shared/workflows/digest/numbers';

describe('Function: changeOf', () => {
  it.each([
    // metric, this period, last period, change, good
    ['wau', 20, 10, 1, true],
    ['wau', 5, 10, -0.5, false],
    ['churn', 0.1, 0.2, -0.5, true],
    ['leaves', 6, 4, 0.5, false],
    // Against the size of a negative last value: a smaller loss is up, and good.
    ['net', -5, -10, 0.5, true],
    ['net', -10, -5, -1, false],
    ['net', 5, -5, 2, true],
  ] as const)('%s from %s to %s is %s (good: %s)', (metric, value, previous, change, good) => {
    // Act and assess
    expect(changeOf(metric, value, previous)).toEqual({ value, previous, change, good });
  });

  it('says n/a (null) when last period was 0 or unknown, and no direction when nothing moved', () => {
    // Act and assess
    expect(changeOf('wau', 10, 0)).toEqual({ value: 10, previous: 0, change: null, good: null });
    expect(changeOf('wau', 10, null)).toEqual({ value: 10, previous: null, change: null, good: null });
    expect(changeOf('wau', null, 10)).toEqual({ value: null, previous: 10, change: null, good: null });
    expect(changeOf('churn', 0.2, 0.2)).toEqual({ value: 0.2, previous: 0.2, change: 0, good: null });
  });
});
