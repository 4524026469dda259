import { describe, expect, it } from 'vitest';
import { ProfileCache } from '../../shared/store/profile-cache';

const at = (seconds: number) => new Date(Date.UTC(2026, 10, 25, 0, 0, seconds));

describe('Class: ProfileCache', () => {
  it('knows a profile written within its time-to-live, and forgets it after', () => {
    // Prepare
    const cache = new ProfileCache(60_000);
    cache.remember('acme#u1', { id: 'u1', name: 'Ada' }, at(0));

    // Act / Assess
    expect(cache.isKnown('acme#u1', { id: 'u1', name: 'Ada' }, at(59))).toBe(true);
    expect(cache.isKnown('acme#u1', { id: 'u1', name: 'Ada' }, at(60))).toBe(false);
  });

  it('treats any changed field as new', () => {
    // Prepare
    const cache = new ProfileCache();
    cache.remember('acme#u1', { id: 'u1', name: 'Ada', timezone: 'Asia/Shanghai' }, at(0));

    // Act / Assess
    expect(cache.isKnown('acme#u1', { id: 'u1', name: 'Ada', timezone: 'Asia/Tokyo' }, at(1))).toBe(false);
    expect(cache.isKnown('acme#u1', { id: 'u1', name: 'Ada', timezone: 'Asia/Shanghai', isBot: true }, at(1))).toBe(
      false,
    );
    expect(cache.isKnown('acme#u2', { id: 'u2', name: 'Ada', timezone: 'Asia/Shanghai' }, at(1))).toBe(false);
  });

  it('evicts the least recently written member when full', () => {
    // Prepare
    const cache = new ProfileCache(60_000, 2);
    cache.remember('a', { id: 'a', name: 'A' }, at(0));
    cache.remember('b', { id: 'b', name: 'B' }, at(1));
    cache.remember('a', { id: 'a', name: 'A' }, at(2));

    // Act
    cache.remember('c', { id: 'c', name: 'C' }, at(3));

    // Assess
    expect(cache.isKnown('a', { id: 'a', name: 'A' }, at(4))).toBe(true);
    expect(cache.isKnown('b', { id: 'b', name: 'B' }, at(4))).toBe(false);
    expect(cache.isKnown('c', { id: 'c', name: 'C' }, at(4))).toBe(true);
  });
});
