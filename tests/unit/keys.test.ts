import { describe, expect, it } from 'vitest';
import {
  anniversaryIndexKeys,
  birthdayIndexKeys,
  communityKey,
  DUE_SHARDS,
  dayPk,
  dueBucket,
  dueIndexKeys,
  dueShardOf,
  lastActiveIndexKeys,
  lastActivePk,
  memberDayKey,
  memberKey,
  outboxId,
  outboxKey,
  sweepMarkKey,
} from '../../shared/store/keys';
import { bucketOf } from '../../shared/store/outbox';

describe('Module: keys', () => {
  describe('Function: item keys', () => {
    it('keys a community under COMMUNITY', () => {
      // Act + Assess
      expect(communityKey('acme')).toEqual({ pk: 'C#acme', sk: 'CONFIG' });
    });

    it('keys a member under its community', () => {
      // Act + Assess
      expect(memberKey('acme', 'u1')).toEqual({ pk: 'C#acme', sk: 'M#u1' });
    });

    it('keys a member-day row under the day partition', () => {
      // Act
      const key = memberDayKey('acme', '2026-11-26', 'u1');

      // Assess
      expect(key).toEqual({ pk: 'C#acme#D#2026-11-26', sk: 'M#u1' });
      expect(key.pk).toBe(dayPk('acme', '2026-11-26'));
    });

    it('keeps a member-day partition apart from the member partition', () => {
      // Act
      const day = memberDayKey('acme', '2026-11-26', 'u1');
      const member = memberKey('acme', 'u1');

      // Assess
      expect(day.pk).not.toBe(member.pk);
      expect(day.sk).toBe(member.sk);
    });

    it('keys an outbox item by its id in the community outbox', () => {
      // Act + Assess
      expect(outboxKey('acme', 'welcome#acme#u1#2026-11-26')).toEqual({
        pk: 'C#acme#OUTBOX',
        sk: 'welcome#acme#u1#2026-11-26',
      });
    });
  });

  describe('Function: outboxId', () => {
    it('joins kind, community, member and period with #', () => {
      // Act
      const id = outboxId('welcome', 'acme', 'u1', '2026-11-26');

      // Assess
      expect(id).toBe('welcome#acme#u1#2026-11-26');
    });

    it('is deterministic and distinguishes each part', () => {
      // Act
      const ids = [
        outboxId('welcome', 'acme', 'u1', '2026-11-26'),
        outboxId('welcome', 'acme', 'u1', '2026-11-26'),
        outboxId('birthday', 'acme', 'u1', '2026-11-26'),
        outboxId('welcome', 'acme', 'u10', '2026-11-26'),
        outboxId('welcome', 'acme', 'u1', '2026-11-27'),
      ];

      // Assess
      expect(ids[0]).toBe(ids[1]);
      expect(new Set(ids).size).toBe(4);
    });
  });

  describe('Function: dueBucket', () => {
    it.each([
      ['2026-11-25T17:30:00.000Z', 'DUE#2026-11-25T17'],
      ['2026-11-25T17:00:00.000Z', 'DUE#2026-11-25T17'],
      ['2026-11-25T23:59:59.999Z', 'DUE#2026-11-25T23'],
      ['2026-11-26T00:00:00.000Z', 'DUE#2026-11-26T00'],
    ])('puts %s in %s (its UTC hour)', (instant, bucket) => {
      // Act + Assess
      expect(dueBucket(instant)).toBe(bucket);
    });

    it('agrees with bucketOf for a Date', () => {
      // Prepare
      const at = new Date('2026-11-26T01:30:00+08:00');

      // Act
      const bucket = bucketOf(at);

      // Assess
      expect(bucket).toBe('DUE#2026-11-25T17');
      expect(bucket).toBe(dueBucket(at.toISOString()));
    });

    it('builds due index keys that sort by due time, then id', () => {
      // Act
      const keys = dueIndexKeys('welcome#acme#u1#2026-11-26', '2026-11-25T17:30:00.000Z');

      // Assess
      expect(keys).toEqual({
        duePk: `DUE#2026-11-25T17#${dueShardOf('welcome#acme#u1#2026-11-26')}`,
        dueSk: '2026-11-25T17:30:00.000Z#welcome#acme#u1#2026-11-26',
      });
    });

    it("spreads an hour's items over its shards, each item always in the same one", () => {
      // Prepare
      const ids = Array.from({ length: 400 }, (_, i) => `birthday#c${i}#m#2026`);

      // Act
      const shards = ids.map((id) => dueShardOf(id));

      // Assess: every shard used, none with more than a third, and the same answer each time.
      const counts = Array.from({ length: DUE_SHARDS }, (_, s) => shards.filter((x) => x === s).length);
      expect(Math.min(...counts)).toBeGreaterThan(0);
      expect(Math.max(...counts)).toBeLessThan(ids.length / 3);
      expect(ids.map((id) => dueShardOf(id))).toEqual(shards);
    });
  });

  describe('Function: index keys', () => {
    it("keys a birthday by community and month-day, so no partition holds every community's birthdays", () => {
      // Act + Assess
      expect(birthdayIndexKeys('acme', 'u1', '03-14')).toEqual({ bdayPk: 'C#acme#BDAY#03-14', bdaySk: 'u1' });
      expect(birthdayIndexKeys('beta', 'u1', '03-14').bdayPk).not.toBe(birthdayIndexKeys('acme', 'u1', '03-14').bdayPk);
    });

    it('keys a first join by community and month-day, and a community sweep mark under the community', () => {
      // Act + Assess
      expect(anniversaryIndexKeys('acme', 'u1', '06-01')).toEqual({ annivPk: 'C#acme#ANNIV#06-01', annivSk: 'u1' });
      expect(sweepMarkKey('winback', 'acme')).toEqual({ pk: 'C#acme#SWEEP', sk: 'winback' });
      expect(sweepMarkKey('dispatch')).toEqual({ pk: 'SWEEP', sk: 'dispatch' });
    });

    it('keys last activity by community and day', () => {
      // Act
      const keys = lastActiveIndexKeys('acme', 'u1', '2026-11-26');

      // Assess
      expect(keys).toEqual({ idlePk: 'C#acme#LAST#2026-11-26', idleSk: 'u1' });
      expect(keys.idlePk).toBe(lastActivePk('acme', '2026-11-26'));
    });
  });
});
