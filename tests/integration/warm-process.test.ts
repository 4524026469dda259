import { beforeAll, describe, expect, it } from 'vitest';
import type { CommunityConfig } from '../../shared/domain/config';
import {
  CommunityCache,
  CommunityListCache,
  getCommunity,
  listCommunities,
  putCommunity,
} from '../../shared/store/communities';
import type { Db } from '../../shared/store/db';
import { enqueue, getOutboxItem, reschedule } from '../../shared/store/outbox';
import { getSweepMark, setSweepMark, sweepMarkKnownAtLeast } from '../../shared/store/sweeps';
import { dispatch } from '../../shared/workflows/dispatch';
import { dripSweep } from '../../shared/workflows/onboarding/decisions';
import { freshTable } from '../support/dynamo';
import { communityConfig } from '../support/fixtures';

/**
 * What a warm process (a reused Lambda container, the local stack) saves by what it already knows, and that
 * it never knows more than the table: marks only move forward, parsed configs are kept by their stored text.
 */

const NOW = new Date('2026-11-25T02:00:00.000Z');

let db: Db;
/** Every command sent to the table since the last reset, by name. */
let sent: string[] = [];

beforeAll(async () => {
  db = await freshTable('warm');
  db.doc.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push(context.commandName as string);
      return next(args);
    },
    { step: 'initialize', name: 'recordCommands' },
  );
});

const community = (overrides: Record<string, unknown> = {}): CommunityConfig =>
  communityConfig({ id: 'warm', timezone: 'Asia/Shanghai', ...overrides });

describe('Stored configs, parsed once per text', () => {
  it('gives a config stored anew, in any way changed, at once; and the same one while unchanged', async () => {
    // Prepare
    await putCommunity(db, community({ name: 'First' }), NOW);
    const first = await getCommunity(db, 'warm');

    // Act
    const again = await getCommunity(db, 'warm');
    await putCommunity(db, community({ name: 'Second' }), NOW);
    const changed = await getCommunity(db, 'warm');
    const listed = await listCommunities(db);

    // Assess
    expect(first?.name).toBe('First');
    expect(again).toEqual(first);
    expect(changed?.name).toBe('Second');
    expect(listed.find((c) => c.id === 'warm')?.name).toBe('Second');
  });

  it('lists communities once per TTL of the time given, then reads again', async () => {
    // Prepare
    await putCommunity(db, community({ name: 'Listed' }), NOW);
    const cache = new CommunityListCache(db, 10 * 60_000);
    const at = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);

    // Act
    sent = [];
    await cache.list(at(0));
    const oneListing = sent.length;
    await cache.list(at(5));
    const withinTtl = sent.length;
    await putCommunity(db, community({ name: 'Relisted' }), NOW);
    const later = await cache.list(at(11));

    // Assess
    // The directory's Query and one BatchGet of the configs, then nothing within the TTL.
    expect(oneListing).toBe(2);
    expect(withinTtl).toBe(oneListing);
    expect(later.find((c) => c.id === 'warm')?.name).toBe('Relisted');
  });
});

describe('Sweep marks this process knows', () => {
  it('lets a daily sweep run again the same day find its day done without a read', async () => {
    // Prepare: the day's run (which moves the mark to its local day).
    const config = community();
    await putCommunity(db, config, NOW);
    await dripSweep(db, [config], NOW);

    // Act
    sent = [];
    const again = await dripSweep(db, [config], new Date(NOW.getTime() + 3_600_000));

    // Assess
    expect(again.days).toBe(0);
    expect(sent).toEqual([]);
  });

  it('knows a mark at least as far as it read or set it, never further, and skips a write that would be refused', async () => {
    // Prepare
    await setSweepMark(db, 'warm-job', '2026-11-20', 'c1');

    // Act
    sent = [];
    await setSweepMark(db, 'warm-job', '2026-11-19', 'c1');
    const skipped = [...sent];
    await setSweepMark(db, 'warm-job', '2026-11-21', 'c1');

    // Assess
    expect(skipped).toEqual([]);
    expect(await getSweepMark(db, 'warm-job', 'c1')).toBe('2026-11-21');
    expect(sweepMarkKnownAtLeast(db, 'warm-job', '2026-11-21', 'c1')).toBe(true);
    expect(sweepMarkKnownAtLeast(db, 'warm-job', '2026-11-22', 'c1')).toBe(false);
    // Another table's mark of the same name is not known.
    expect(sweepMarkKnownAtLeast({ ...db, table: 'other' }, 'warm-job', '2026-11-01', 'c1')).toBe(false);
  });

  it('walks the dispatcher from the watermark it moved itself, without reading it', async () => {
    // Prepare: one run moves the watermark.
    const config = community();
    await putCommunity(db, config, NOW);
    const deps = { db, communities: new CommunityCache(db, 0), senderFor: () => ({ send: async () => undefined }) };
    await dispatch(deps, NOW);

    // Act
    sent = [];
    await dispatch(deps, new Date(NOW.getTime() + 60_000));

    // Assess: the due buckets are read, the watermark is not (nor written again: it stays).
    expect(sent.filter((command) => command !== 'QueryCommand')).toEqual([]);
    expect(sent.length).toBeGreaterThan(0);
  });
});

describe('Db.onDue', () => {
  it('is told the due time of each item that becomes pending, once stored, and not of a duplicate', async () => {
    // Prepare
    const told: string[] = [];
    const watched: Db = { ...db, onDue: (at) => told.push(at.toISOString()) };
    const decision = {
      id: 'welcome#warm#ada',
      communityId: 'warm',
      kind: 'welcome',
      memberId: 'ada',
      delivery: 'channel' as const,
      vars: {},
      dueAt: '2026-11-25T10:00:00+08:00',
    };

    // Act
    await enqueue(watched, decision, NOW);
    await enqueue(watched, decision, NOW);
    const item = await getOutboxItem(db, 'warm', decision.id);
    await reschedule(watched, item as NonNullable<typeof item>, new Date('2026-11-25T03:00:00.000Z'), 'unsent');

    // Assess
    expect(told).toEqual(['2026-11-25T02:00:00.000Z', '2026-11-25T03:00:00.000Z']);
  });
});
