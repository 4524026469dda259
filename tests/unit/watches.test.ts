import { describe, expect, it } from 'vitest';
import { type DueMark, OPEN_TTL_MS, RECHECK_FOR_MS, RECHECK_MS, staleAt, type Watch } from '../../shared/store/watches';

const at = (iso: string) => Date.parse(iso);
const due = (itemId: string, dueAt: string): DueMark => ({ sk: `${dueAt}#due#${itemId}`, itemId, dueAt });
const sent = (itemId: string, sentAt: string): Watch => ({
  sk: `${sentAt}#${itemId}`,
  itemId,
  kind: 'post',
  sentAt,
  until: new Date(at(sentAt) + 86_400_000).toISOString(),
});

describe('Module: watches', () => {
  describe('Function: staleAt', () => {
    it('keeps a read with no post due for its 30 s', () => {
      // Prepare
      const readAt = at('2026-12-01T08:59:00Z');

      // Act
      const until = staleAt(readAt, [sent('p1', '2026-12-01T08:00:00Z')]);

      // Assess
      expect(until).toBe(readAt + OPEN_TTL_MS);
    });

    it('ends a read at the minute a post is due', () => {
      // Act
      const until = staleAt(at('2026-12-01T08:59:50Z'), [due('p2', '2026-12-01T09:00:00Z')]);

      // Assess
      expect(until).toBe(at('2026-12-01T09:00:00Z'));
    });

    it('reads again every few seconds while a due post has not gone, for a few minutes', () => {
      // Prepare
      const mark = due('p2', '2026-12-01T09:00:00Z');
      const late = at('2026-12-01T09:00:00Z') + RECHECK_FOR_MS;

      // Act
      const soon = staleAt(at('2026-12-01T09:00:01Z'), [mark]);
      const given = staleAt(late, [mark]);

      // Assess
      expect(soon).toBe(at('2026-12-01T09:00:01Z') + RECHECK_MS);
      expect(given).toBe(late + OPEN_TTL_MS);
    });

    it('forgets the mark of a post once it has gone', () => {
      // Prepare
      const readAt = at('2026-12-01T09:00:06Z');

      // Act
      const until = staleAt(readAt, [due('p2', '2026-12-01T09:00:00Z'), sent('p2', '2026-12-01T09:00:05Z')]);

      // Assess
      expect(until).toBe(readAt + OPEN_TTL_MS);
    });

    it('tells a sent post from a mark whatever its id holds (a community named "due")', () => {
      // Prepare
      const readAt = at('2026-12-01T09:00:06Z');
      const id = 'post#due##community#topic@2026-12-01T09:00:00.000Z';

      // Act
      const until = staleAt(readAt, [due(id, '2026-12-01T09:00:00Z'), sent(id, '2026-12-01T09:00:05Z')]);

      // Assess
      expect(until).toBe(readAt + OPEN_TTL_MS);
    });
  });
});
