import { describe, expect, it } from 'vitest';
import { parseCommunityConfig } from '../../shared/domain/config';
import {
  badgesEarned,
  dayPoints,
  earningMessages,
  levelOf,
  pointsForLevel,
  tierOf,
} from '../../shared/workflows/standing/rules';
import { badgeTemplate } from '../../shared/workflows/standing/templates';

const config = parseCommunityConfig({
  id: 'acme',
  name: 'Acme',
  timezone: 'UTC',
  webhookSecret: 'whsec_change_me',
  platform: { kind: 'generic' },
});

describe('Module: standing rules', () => {
  describe('Function: earningMessages', () => {
    it('earns in time order, skipping what falls within the cooldown of the last earning message', () => {
      // Act
      const earned = earningMessages([130, 0, 59, 60, 100, 121], 60);

      // Assess: 0 earns, 59 does not, 60 does, 100 does not, 121 does (61 after 60), 130 does not.
      expect(earned).toEqual({ count: 3, lastEarnAt: 121 });
    });

    it('carries the last earning message over from the day before, and earns every message without a cooldown', () => {
      // Act and assess
      expect(earningMessages([10, 70], 60, -30)).toEqual({ count: 1, lastEarnAt: 70 });
      expect(earningMessages([5, 5, 6], 0)).toEqual({ count: 3, lastEarnAt: 6 });
      expect(earningMessages([], 60, 42)).toEqual({ count: 0, lastEarnAt: 42 });
    });
  });

  describe('Function: dayPoints', () => {
    it('adds messages, replies and reactions received at their rates and caps the day', () => {
      // Act
      const small = dayPoints(config.points, { earningMessages: 3, repliesReceived: 2, reactionsReceived: 4 });
      const large = dayPoints(config.points, { earningMessages: 40, repliesReceived: 10, reactionsReceived: 0 });

      // Assess
      expect(small.points).toBe(3 + 4 + 4);
      expect(large.points).toBe(50);
    });
  });

  describe('Function: levelOf', () => {
    it.each([
      [0, 1],
      [9, 1],
      [10, 2],
      [39, 2],
      [40, 3],
      [90, 4],
      [160, 5],
      [1000, 11],
    ])('gives %i points level %i', (points, level) => {
      expect(levelOf(points)).toBe(level);
      expect(points).toBeGreaterThanOrEqual(pointsForLevel(level));
      expect(points).toBeLessThan(pointsForLevel(level + 1));
    });
  });

  describe('Function: badgesEarned', () => {
    it('earns each badge at its threshold and not before', () => {
      // Act
      const none = badgesEarned({
        messages: 0,
        repliesReceived: 9,
        reactionsReceived: 49,
        referralsQualified: 0,
        longestStreak: 6,
      });
      const some = badgesEarned({
        messages: 100,
        repliesReceived: 10,
        reactionsReceived: 50,
        referralsQualified: 5,
        longestStreak: 7,
      });

      // Assess
      expect(none).toEqual([]);
      expect(some).toEqual([
        'first-message',
        'messages-100',
        'streak-7',
        'replies-10',
        'reactions-50',
        'first-referral',
        'referrals-5',
      ]);
      expect(badgeTemplate('first-message')).toBe('badge.firstMessage');
    });
  });

  describe('Function: tierOf', () => {
    const stats = (activeDays: number, messages = 0, received = 0, referrals = 0) => ({
      activeDays,
      messages,
      received,
      referrals,
    });

    it('gives the highest tier whose thresholds all hold', () => {
      expect(tierOf(stats(1, 1), config.tiers, false)).toBe('regular');
      expect(tierOf(stats(4, 10), config.tiers, false)).toBe('active');
      expect(tierOf(stats(10, 40, 19), config.tiers, false)).toBe('active');
      expect(tierOf(stats(10, 40, 20), config.tiers, false)).toBe('core');
      expect(tierOf(stats(28, 500, 500, 0), config.tiers, false)).toBe('core');
      expect(tierOf(stats(16, 80, 60, 1), config.tiers, false)).toBe('champion');
    });

    it('makes a member without a contribution tier a newcomer when they joined lately, else a lurker', () => {
      expect(tierOf(stats(0), config.tiers, true)).toBe('newcomer');
      expect(tierOf(stats(0), config.tiers, false)).toBe('lurker');
      expect(tierOf(stats(1, 1), config.tiers, true)).toBe('regular');
    });
  });
});
