import { describe, expect, it } from 'vitest';
import { type PaceRule, Pacer } from '../../../shared/chat/pacer';
import { RetryLaterError, withSendDeadline } from '../../../shared/chat/sender';
import { fakeTime } from '../../support/fake-platform-apis';

const perChannel = (channel: string): PaceRule => ({
  key: `channel:${channel}`,
  label: 'one a second per channel',
  minIntervalMs: 1_000,
});
const perMinute: PaceRule = { key: 'robot', label: '20 a minute per robot', limit: 20, windowMs: 60_000 };

describe('Class: Pacer', () => {
  describe('Function: acquire', () => {
    it('lets the first send go at once and delays a second one to the same channel by the interval', async () => {
      // Prepare
      const time = fakeTime();
      const pacer = new Pacer('test', time);

      // Act
      await pacer.acquire([perChannel('C1')]);
      await pacer.acquire([perChannel('C1')]);

      // Assess
      expect(time.sleeps).toEqual([1_000]);
    });

    it('does not delay a send to another channel', async () => {
      // Prepare
      const time = fakeTime();
      const pacer = new Pacer('test', time);

      // Act
      await pacer.acquire([perChannel('C1')]);
      await pacer.acquire([perChannel('C2')]);

      // Assess
      expect(time.sleeps).toEqual([]);
    });

    it('waits only for what is left of the interval', async () => {
      // Prepare
      const time = fakeTime();
      const pacer = new Pacer('test', time);
      await pacer.acquire([perChannel('C1')]);
      time.advance(700);

      // Act
      await pacer.acquire([perChannel('C1')]);

      // Assess
      expect(time.sleeps).toEqual([300]);
    });

    it('reserves slots before waiting, so concurrent sends queue one interval apart', async () => {
      // Prepare
      const time = fakeTime();
      const sleeps: number[] = [];
      // A sleep that does not move the clock: all three compute their slots at the same instant.
      const pacer = new Pacer('test', { now: time.now, sleep: async (ms) => void sleeps.push(ms) });

      // Act
      await Promise.all([1, 2, 3].map(() => pacer.acquire([perChannel('C1')])));

      // Assess
      expect(sleeps).toEqual([1_000, 2_000]);
    });

    it('counts N per window: the 21st send in a minute waits for the first to leave it', async () => {
      // Prepare
      const time = fakeTime();
      const pacer = new Pacer('test', { ...time, maxWaitMs: 120_000 });
      for (let i = 0; i < 20; i++) {
        await pacer.acquire([perMinute]);
        time.advance(1_000);
      }

      // Act
      await pacer.acquire([perMinute]);

      // Assess: the first went at t=0, so the 21st (asked at t=20 s) goes at t=60 s
      expect(time.sleeps).toEqual([40_000]);
    });

    it('throws RetryLaterError with the time the send may go when the wait is longer than the maximum', async () => {
      // Prepare
      const time = fakeTime();
      const pacer = new Pacer('test', time);
      for (let i = 0; i < 20; i++) await pacer.acquire([perMinute]);

      // Act
      const attempt = pacer.acquire([perMinute]);

      // Assess
      await expect(attempt).rejects.toBeInstanceOf(RetryLaterError);
      await expect(attempt).rejects.toThrow('test: paced (20 a minute per robot), may send in 60 s');
      await expect(attempt).rejects.toMatchObject({ retryAt: new Date(time.now() + 60_000) });
      expect(time.sleeps).toEqual([]);
    });

    it('does not wait past the current send’s deadline: nothing is sent and no attempt is spent', async () => {
      // Prepare
      const time = fakeTime();
      const pacer = new Pacer('test', time);
      await pacer.acquire([perChannel('C1')]);

      // Act: the next slot is a second away, but this send has half a second left.
      const error = await withSendDeadline(500, () => pacer.acquire([perChannel('C1')])).catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(RetryLaterError);
      expect((error as RetryLaterError).attempted).toBe(false);
      expect((error as RetryLaterError).retryAt?.getTime()).toBe(time.now() + 1_000);
      expect(time.sleeps).toEqual([]);
    });

    it('does not count a refused send against the limit', async () => {
      // Prepare
      const time = fakeTime();
      const pacer = new Pacer('test', time);
      for (let i = 0; i < 20; i++) await pacer.acquire([perMinute]);
      await expect(pacer.acquire([perMinute])).rejects.toBeInstanceOf(RetryLaterError);
      time.advance(60_001);

      // Act
      await pacer.acquire([perMinute]);

      // Assess
      expect(time.sleeps).toEqual([]);
    });

    it('goes when every rule allows: the tightest one decides', async () => {
      // Prepare
      const time = fakeTime();
      const pacer = new Pacer('test', time);
      const bot: PaceRule = { key: 'bot', label: 'two a second per bot', limit: 2, windowMs: 1_000 };
      await pacer.acquire([perChannel('C1'), bot]);
      await pacer.acquire([perChannel('C2'), bot]);

      // Act: C3 has no channel history, but the bot has used its two sends this second
      const { waitMs, rule } = pacer.delay([perChannel('C3'), bot]);

      // Assess
      expect(waitMs).toBe(1_000);
      expect(rule?.key).toBe('bot');
    });
  });

  describe('Function: hold', () => {
    it('holds every send on a key until the time a platform named', async () => {
      // Prepare
      const time = fakeTime();
      const pacer = new Pacer('test', time);
      pacer.hold('robot', time.now() + 5_000);

      // Act
      await pacer.acquire([perMinute]);

      // Assess
      expect(time.sleeps).toEqual([5_000]);
    });
  });
});
