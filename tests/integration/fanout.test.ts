import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { asLocalFunction, type LocalFunctions } from '../../infra/local/functions';
import { LocalQueue } from '../../infra/local/queue';
import { queueDefinition } from '../../infra/topology';
import type { CommunityConfig } from '../../shared/domain/config';
import { getCommunity, listCommunityIds, putCommunity } from '../../shared/store/communities';
import type { Db } from '../../shared/store/db';
import { ingestEvent } from '../../shared/store/ingest';
import { sweepMarkKey } from '../../shared/store/keys';
import { listOutbox } from '../../shared/store/outbox';
import {
  fanOut,
  QUEUED_RUN_BUDGET_MS,
  runQueued,
  type SweepMessage,
  type SweepQueue,
} from '../../shared/workflows/fanout';
import { createSweepsHandler } from '../../shared/workflows/sweeps-handler';
import { freshTable } from '../support/dynamo';
import { communityConfig, inboundEvent } from '../support/fixtures';

/** Keeps what it is sent. */
class RecordingQueue implements SweepQueue {
  readonly sent: SweepMessage[] = [];
  async send(messages: readonly SweepMessage[]): Promise<void> {
    this.sent.push(...messages);
  }
}

const at = (iso: string) => new Date(iso);
// 09:10 UTC on 14 March: the birthday hour (09:00) of a community in UTC is inside the run's window.
const NOW = at('2026-03-14T09:10:00Z');

/** A batch of queued messages as SQS hands them to the function. */
const batch = (...bodies: string[]): SQSEvent => ({
  Records: bodies.map((body, i) => ({ messageId: `m${i}`, body }) as SQSEvent['Records'][number]),
});

describe('Sweeps fanned out per community', () => {
  let db: Db;
  const COMMUNITIES: CommunityConfig[] = ['north', 'south', 'east'].map((id) =>
    communityConfig({ id, timezone: 'UTC', onboarding: { enabled: false } }),
  );

  beforeAll(async () => {
    db = await freshTable('fanout');
    for (const community of COMMUNITIES) {
      await putCommunity(db, community, at('2026-01-01T00:00:00Z'));
      for (const member of ['a', 'b']) {
        const joined = inboundEvent('member.joined', member, '2026-01-05T02:00:00Z', {
          member: { id: member, birthday: member === 'a' ? '03-14' : '03-15' },
        });
        await ingestEvent(db, community, joined, { now: at('2026-01-05T02:00:00Z') });
      }
    }
  });

  it('lists the communities from their directory and queues one message for each', async () => {
    // Prepare
    const queue = new RecordingQueue();

    // Act
    const report = await fanOut(db, queue, 'birthdays');

    // Assess
    expect(await listCommunityIds(db)).toEqual(['east', 'north', 'south']);
    expect(report).toEqual({ job: 'birthdays', fannedOut: 3 });
    expect(queue.sent).toEqual([
      { job: 'birthdays', communityId: 'east' },
      { job: 'birthdays', communityId: 'north' },
      { job: 'birthdays', communityId: 'south' },
    ]);
  });

  it("runs a schedule's job through the queue: each community once, its mark in its own partition", async () => {
    // Prepare: the stack's wiring, a local queue feeding the same handler.
    let functions: LocalFunctions | undefined;
    const queue = new LocalQueue(queueDefinition('sweeps'), () => functions as LocalFunctions);
    const sweeps = asLocalFunction(
      'sweeps',
      createSweepsHandler({ db, queue }, () => NOW),
    );
    functions = { sweeps } as unknown as LocalFunctions;

    // Act
    const fanned = await sweeps({ job: 'birthdays' });
    await queue.drain();

    // Assess: one greeting per community, for the member whose birthday it is.
    expect(fanned).toEqual({ job: 'birthdays', fannedOut: 3 });
    for (const community of COMMUNITIES) {
      const items = (await listOutbox(db, community.id)).map((item) => item.id);
      expect(items).toEqual([`birthday#${community.id}#a#2026`]);
      const mark = await db.doc.send(
        new GetCommand({ TableName: db.table, Key: sweepMarkKey('birthdays', community.id) }),
      );
      expect(mark.Item).toMatchObject({ pk: `C#${community.id}#SWEEP`, through: '2026-03-14T10:00:00.000Z' });
    }
    expect(queue.dead).toEqual([]);

    // Act: the fan-out again (a schedule's retry), and one message delivered twice.
    await sweeps({ job: 'birthdays' });
    await queue.send([{ job: 'birthdays', communityId: 'north' }]);
    await queue.drain();

    // Assess: nothing new.
    for (const community of COMMUNITIES) expect(await listOutbox(db, community.id)).toHaveLength(1);
  });

  it('names the messages that failed, so that only they are delivered again', async () => {
    // Prepare
    const ran: string[] = [];
    const run = async (job: string, community: CommunityConfig) => {
      if (community.id === 'south') throw new Error('engine unavailable');
      ran.push(`${job} ${community.id}`);
      return {};
    };

    // Act
    const response = await runQueued(
      (id) => getCommunity(db, id),
      batch(
        JSON.stringify({ job: 'winback', communityId: 'north' }),
        'not json',
        JSON.stringify({ job: 'winback' }),
        JSON.stringify({ job: 'winback', communityId: 'south' }),
        JSON.stringify({ job: 'winback', communityId: 'gone' }),
        JSON.stringify({ job: 'winback', communityId: 'east' }),
      ),
      run,
    );

    // Assess: the malformed bodies and the failed community are named; an unknown community is done.
    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual(['m1', 'm2', 'm3']);
    expect(ran).toEqual(['winback north', 'winback east']);
  });

  it('starts no community with too little of the invocation left, and gives the rest back to the queue', async () => {
    // Prepare: a minute and a half left for the first, then less than the budget.
    const left = [90_000, QUEUED_RUN_BUDGET_MS - 1];
    const ran: string[] = [];

    // Act
    const response = await runQueued(
      (id) => getCommunity(db, id),
      batch(...['north', 'south', 'east'].map((communityId) => JSON.stringify({ job: 'winback', communityId }))),
      async (_job, community) => {
        ran.push(community.id);
        return {};
      },
      () => left.shift() ?? 0,
    );

    // Assess
    expect(ran).toEqual(['north']);
    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual(['m1', 'm2']);
  });

  it('delivers a failing message again up to the queue limit, then parks it in the dead letters', async () => {
    // Prepare: a consumer whose every run of `south` fails.
    let functions: LocalFunctions | undefined;
    const definition = queueDefinition('sweeps');
    const queue = new LocalQueue(definition, () => functions as LocalFunctions);
    let southRuns = 0;
    const consumer = async (event: SQSEvent) =>
      runQueued(
        (id) => getCommunity(db, id),
        event,
        async (_job, community) => {
          if (community.id !== 'south') return {};
          southRuns++;
          throw new Error('always');
        },
      );
    functions = { sweeps: consumer } as unknown as LocalFunctions;

    // Act
    await queue.send(COMMUNITIES.map((community) => ({ job: 'holidays', communityId: community.id })));
    await queue.drain();

    // Assess
    expect(southRuns).toBe(definition.maxReceiveCount);
    expect(queue.dead).toEqual([
      { body: JSON.stringify({ job: 'holidays', communityId: 'south' }), receives: definition.maxReceiveCount },
    ]);
  });

  it('runs every community in the one invocation for an as-of run, with no queue involved', async () => {
    // Prepare
    const queue = new RecordingQueue();
    const sweeps = asLocalFunction(
      'sweeps',
      createSweepsHandler({ db, queue }, () => NOW),
    );

    // Act
    const report = await sweeps({ job: 'birthdays', at: '2026-03-15T09:10:00Z' });

    // Assess: the 15th's birthdays, one per community, decided here.
    expect(queue.sent).toEqual([]);
    expect(report).toMatchObject({ communities: 3, found: 3, queued: 3 });
  });

  it("reads a community's config once for the jobs of one minute, and a change by the next minute's", async () => {
    // Prepare: a community whose birthday greetings are off, and the stack's wiring on a clock we move.
    const west = communityConfig({
      id: 'west',
      timezone: 'UTC',
      onboarding: { enabled: false },
      birthdays: { enabled: false },
    });
    await putCommunity(db, west, at('2026-01-01T00:00:00Z'));
    const joined = inboundEvent('member.joined', 'w', '2026-01-05T02:00:00Z', {
      member: { id: 'w', birthday: '03-16' },
    });
    await ingestEvent(db, west, joined, { now: at('2026-01-05T02:00:00Z') });
    let now = at('2026-03-16T09:00:05Z');
    let functions: LocalFunctions | undefined;
    const queue = new LocalQueue(queueDefinition('sweeps'), () => functions as LocalFunctions);
    const sweeps = asLocalFunction(
      'sweeps',
      createSweepsHandler({ db, queue }, () => now),
    );
    functions = { sweeps } as unknown as LocalFunctions;
    await queue.send([{ job: 'winback', communityId: 'west' }]);
    await queue.drain();

    // Act: the greetings turned on, then the birthday sweep two seconds later, in the same minute.
    await putCommunity(db, { ...west, birthdays: { ...west.birthdays, enabled: true } }, now);
    now = at('2026-03-16T09:00:07Z');
    await queue.send([{ job: 'birthdays', communityId: 'west' }]);
    await queue.drain();

    // Assess: that run used the config read five seconds before, with greetings off.
    expect(await listOutbox(db, 'west')).toEqual([]);

    // Act: the next hour's run, long after the change.
    now = at('2026-03-16T10:00:05Z');
    await queue.send([{ job: 'birthdays', communityId: 'west' }]);
    await queue.drain();

    // Assess: the change is read, and the greeting its window still holds is queued.
    expect((await listOutbox(db, 'west')).map((item) => item.id)).toEqual(['birthday#west#w#2026']);
    expect(queue.dead).toEqual([]);
  });
});
