import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { reapExpired } from '../../infra/local/reaper';
import { unixSeconds } from '../../shared/domain/time';
import type { Db } from '../../shared/store/db';
import { freshTable } from '../support/dynamo';

const NOW = new Date('2026-11-25T17:30:00.000Z');

let db: Db;

beforeAll(async () => {
  db = await freshTable('reaper');
});

async function put(pk: string, sk: string, expiresAt?: number) {
  await db.doc.send(
    new PutCommand({
      TableName: db.table,
      Item: { pk, sk, note: 'x', ...(expiresAt === undefined ? {} : { expiresAt }) },
    }),
  );
}

async function exists(pk: string, sk: string): Promise<boolean> {
  const result = await db.doc.send(new GetCommand({ TableName: db.table, Key: { pk, sk } }));
  return result.Item !== undefined;
}

describe('Module: reaper', () => {
  describe('Function: reapExpired', () => {
    it('deletes items whose expiresAt has passed and keeps the rest', async () => {
      // Prepare
      const now = unixSeconds(NOW);
      await put('R#1', 'past', now - 3600);
      await put('R#1', 'just-past', now - 1);
      await put('R#2', 'future', now + 3600);
      await put('R#2', 'no-ttl');

      // Act
      const removed = await reapExpired(db, NOW);

      // Assess
      expect(removed).toBe(2);
      expect(await exists('R#1', 'past')).toBe(false);
      expect(await exists('R#1', 'just-past')).toBe(false);
      expect(await exists('R#2', 'future')).toBe(true);
      expect(await exists('R#2', 'no-ttl')).toBe(true);
    });

    it('removes more than one batch of 25', async () => {
      // Prepare
      const now = unixSeconds(NOW);
      await Promise.all(Array.from({ length: 60 }, (_, i) => put('R#bulk', `old-${i}`, now - 60)));
      await put('R#bulk', 'young', now + 60);

      // Act
      const removed = await reapExpired(db, NOW);

      // Assess
      expect(removed).toBe(60);
      expect(await exists('R#bulk', 'old-0')).toBe(false);
      expect(await exists('R#bulk', 'old-59')).toBe(false);
      expect(await exists('R#bulk', 'young')).toBe(true);
    });

    it('removes nothing on a second run', async () => {
      // Act
      const removed = await reapExpired(db, NOW);

      // Assess
      expect(removed).toBe(0);
      expect(await exists('R#2', 'future')).toBe(true);
    });

    it('removes an item once its time comes', async () => {
      // Act
      const removed = await reapExpired(db, new Date(NOW.getTime() + 2 * 3600 * 1000));

      // Assess
      expect(removed).toBe(2);
      expect(await exists('R#2', 'future')).toBe(false);
      expect(await exists('R#2', 'no-ttl')).toBe(true);
    });
  });
});
