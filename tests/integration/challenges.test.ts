import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { literalSecrets } from '../../shared/runtime/secrets';
import { CommunityCache, putCommunity } from '../../shared/store/communities';
import type { Db } from '../../shared/store/db';
import { outboxId } from '../../shared/store/keys';
import { getMember } from '../../shared/store/members';
import { getOutboxItem, listOutbox } from '../../shared/store/outbox';
import type { PipelineDeps } from '../../shared/webhook/pipeline';
import { calendarSweep } from '../../shared/workflows/calendar/decisions';
import { calendarReport } from '../../shared/workflows/calendar/report';
import { participants } from '../../shared/workflows/calendar/store';
import { dispatch } from '../../shared/workflows/dispatch';
import { forgetEverywhere } from '../../shared/workflows/forget';
import type { StandingMember } from '../../shared/workflows/standing/store';
import { freshTable } from '../support/dynamo';
import { communityConfig } from '../support/fixtures';
import { noMetrics, postGeneric, RecordingSender, silentPublisher } from '../support/senders';

const SECRET = 'whsec_challenges_test';
// Auckland in December is UTC+13: local midnight is 11:00 UTC, so a local day spans two UTC dates.
const KIWI = communityConfig({
  id: 'kiwi',
  name: 'Kiwi Runners',
  timezone: 'Pacific/Auckland',
  locale: 'en',
  webhookSecret: SECRET,
  onboarding: { enabled: false },
  challenges: [{ id: 'run-3', start: '2026-12-07', days: 3, hour: 8, keyword: 'run', points: 40 }],
});

let db: Db;
let deps: PipelineDeps;
let seq = 0;

beforeAll(async () => {
  db = await freshTable('challenges');
  await putCommunity(db, KIWI, new Date('2026-12-01T00:00:00Z'));
});

beforeEach(() => {
  deps = {
    db,
    communities: new CommunityCache(db),
    secrets: literalSecrets,
    publisher: silentPublisher,
    metrics: noMetrics,
  };
});

/** Member `memberId` types `text` in #general at `iso` (delivered then); returns the event id. */
async function say(
  memberId: string,
  text: string,
  iso: string,
  options: { id?: string; member?: object; deliveredAt?: string } = {},
) {
  const id = options.id ?? `ev-${++seq}`;
  const body = {
    id,
    type: 'message.posted',
    occurredAt: new Date(iso).toISOString(),
    member: { id: memberId, ...options.member },
    channelId: 'general',
    text,
  };
  await postGeneric(deps, { id: KIWI.id, secret: SECRET }, body, new Date(options.deliveredAt ?? iso));
  return id;
}

const answerOf = (memberId: string, key: string) =>
  getOutboxItem(db, KIWI.id, outboxId('checkin', KIWI.id, memberId, key));
const progressOf = async (memberId: string) =>
  (await participants(db, KIWI.id, 'run-3')).find((p) => p.memberId === memberId);

describe('Check-in challenges through the webhook', () => {
  it('counts check-ins a minute either side of local midnight as two days, far from UTC', async () => {
    // Act: 23:59 on Monday 7 December in Auckland, then 00:01 on Tuesday 8: both on 7 December in UTC.
    await say('ana', '/checkin', '2026-12-07T10:59:00Z');
    await say('ana', '/checkin', '2026-12-07T11:01:00Z');

    // Assess
    expect(await progressOf('ana')).toMatchObject({ count: 2, streak: 2, best: 2, lastDay: '2026-12-08' });
    expect((await answerOf('ana', 'run-3@2026-12-07'))?.vars).toMatchObject({ day: '1', count: '1', streak: '1' });
    expect((await answerOf('ana', 'run-3@2026-12-08'))?.vars).toMatchObject({ day: '2', count: '2', streak: '2' });
  });

  it('changes nothing for a duplicate delivery or a second check-in the same local day', async () => {
    // Arrange
    const id = await say('ben', 'Done my run today!', '2026-12-07T20:00:00Z');
    const before = await progressOf('ben');

    // Act: the platform's retry of the same event, then another check-in on Tuesday 8 (local).
    await say('ben', 'Done my run today!', '2026-12-07T20:00:00Z', { id });
    await say('ben', '/checkin', '2026-12-07T22:00:00Z');

    // Assess: one day, one answer.
    expect(before).toMatchObject({ count: 1 });
    expect(await progressOf('ben')).toEqual(before);
    const answers = (await listOutbox(db, KIWI.id)).filter((i) => i.kind === 'checkin' && i.memberId === 'ben');
    expect(answers.map((a) => a.id)).toEqual([outboxId('checkin', KIWI.id, 'ben', 'run-3@2026-12-08')]);
  });

  it('takes the keyword as a whole word only, and a missed day breaks the streak', async () => {
    // Act: Monday 7 (local) by keyword, "running" on Tuesday is no check-in, Wednesday 9 by keyword.
    await say('cai', 'RUN: 5 km', '2026-12-06T20:00:00Z');
    await say('cai', 'running late', '2026-12-07T20:00:00Z');
    await say('cai', 'morning run', '2026-12-08T20:00:00Z');

    // Assess
    expect(await progressOf('cai')).toMatchObject({ count: 2, streak: 1, best: 1, lastDay: '2026-12-09' });
  });

  it('credits completion once: points and the badge, and the completed answer', async () => {
    // Act: Ana's third day (Wednesday 9, local), then the same day again and a retry.
    const id = await say('ana', '/checkin', '2026-12-08T19:00:00Z');
    await say('ana', '/checkin', '2026-12-08T19:00:00Z', { id });
    await say('ana', 'run', '2026-12-08T21:00:00Z');

    // Assess
    const ana = (await getMember(db, KIWI.id, 'ana')) as StandingMember | undefined;
    expect(ana?.points).toBe(40);
    expect([...(ana?.badges ?? [])]).toContain('challenge-complete');
    expect([...(ana?.completedChallenges ?? [])]).toEqual(['run-3']);
    expect((await progressOf('ana'))?.completedAt).toBeDefined();
    expect((await answerOf('ana', 'run-3@2026-12-09'))?.template).toBe('challenge.completed');
  });

  it('gives staff the check-in but no points, and ignores bots', async () => {
    // Act
    for (const day of ['2026-12-06T20:00:00Z', '2026-12-07T20:00:00Z', '2026-12-08T20:00:00Z']) {
      await say('sam', '/checkin', day, { member: { isStaff: true } });
      await say('bot', '/checkin', day, { member: { isBot: true } });
    }

    // Assess
    expect(await progressOf('sam')).toMatchObject({ count: 3 });
    expect(((await getMember(db, KIWI.id, 'sam')) as StandingMember | undefined)?.points ?? 0).toBe(0);
    expect(await progressOf('bot')).toBeUndefined();
  });

  it('tells a member who checks in outside the challenge that none is running, once per message', async () => {
    // Act: Thursday 10 December, local: the three days are over.
    const id = await say('dee', '/checkin', '2026-12-09T20:00:00Z');

    // Assess
    expect((await answerOf('dee', `none@${id}`))?.template).toBe('challenge.none');
    expect(await progressOf('dee')).toBeUndefined();
  });

  it("posts each day's prompt at its local hour, with the day and how to check in", async () => {
    // Arrange: 07:50 on Monday 7 December in Auckland.
    const sender = new RecordingSender();

    // Act
    await calendarSweep(db, [KIWI], new Date('2026-12-06T18:50:00Z'), {});
    await dispatch(
      { db, communities: new CommunityCache(db, 0), senderFor: () => sender },
      new Date('2026-12-06T19:00:30Z'),
      {},
    );

    // Assess
    const prompts = sender.sent.filter((m) => m.kind === 'post');
    expect(prompts.map((m) => m.text)).toEqual(['Day 1 of 3 of the run-3 challenge! Check in today: /checkin · run']);
  });

  it('gives the digest each challenge that ran in the period: participants, completion, longest streaks', async () => {
    // Act: the ISO week of Monday 7 December (the challenge's three days), and the week before it.
    const week = await calendarReport(db, KIWI, { first: '2026-12-07', last: '2026-12-13' });
    const before = await calendarReport(db, KIWI, { first: '2026-11-30', last: '2026-12-06' });

    // Assess: Ana and Sam (staff) checked in on all three days; Ben and Cai on one and two; bots never count.
    expect(week.challenges).toEqual([
      {
        id: 'run-3',
        start: '2026-12-07',
        days: 3,
        participants: 4,
        completed: 2,
        completionRate: 0.5,
        longest: [
          { memberId: 'ana', best: 3 },
          { memberId: 'sam', best: 3 },
          { memberId: 'ben', best: 1 },
        ],
      },
    ]);
    expect(before.challenges).toEqual([]);
    // The prompt sent on the first day is the challenge's, not a post of its own in the digest.
    expect(week.posts).toEqual([]);
  });

  it('counts a check-in from history but answers none, as for any command a day late', async () => {
    // Act: Eve's check-in of Monday 7 December (local) reaches Hearth two days later.
    await say('eve', '/checkin', '2026-12-06T21:00:00Z', { deliveredAt: '2026-12-08T21:00:00Z' });

    // Assess
    expect(await progressOf('eve')).toMatchObject({ count: 1, lastDay: '2026-12-07' });
    expect(await answerOf('eve', 'run-3@2026-12-07')).toBeUndefined();
  });

  it("forgets the times of a member's check-ins and keeps the days they count", async () => {
    // Act
    const erased = await forgetEverywhere(db, KIWI, 'cai', new Date('2026-12-10T00:00:00Z'));
    const again = await forgetEverywhere(db, KIWI, 'cai', new Date('2026-12-10T00:01:00Z'));

    // Assess
    expect(erased).toContain('times of 2 check-ins in run-3');
    expect(again).not.toContain('times of 2 check-ins in run-3');
    expect(await progressOf('cai')).toMatchObject({ count: 2, best: 1 });
  });

  it("takes /hearth checkin (Slack's one slash command) before the commands workflow would answer it with the help", async () => {
    // Act: Fay on Monday 7 December, local.
    const id = await say('fay', '/hearth checkin', '2026-12-06T22:00:00Z');

    // Assess: a check-in and its answer, and no help reply.
    expect(await progressOf('fay')).toMatchObject({ count: 1 });
    expect((await answerOf('fay', 'run-3@2026-12-07'))?.template).toBe('challenge.checkin');
    const replies = (await listOutbox(db, KIWI.id)).filter((i) => i.kind === 'reply' && i.memberId === 'fay');
    expect(replies, id).toEqual([]);
  });

  it('lets the days and the progress expire 400 days after the day, as member-day rows do', async () => {
    // Act: after every other test here, so it is not among the digest's participants.
    await say('tui', '/checkin', '2026-12-07T20:00:00Z');

    // Assess: Tuesday 8 December (local) plus 400 days, at 00:00 UTC.
    const expiresAt = Date.parse('2028-01-12T00:00:00Z') / 1000;
    const item = (sk: string) =>
      db.doc.send(new GetCommand({ TableName: db.table, Key: { pk: 'C#kiwi#CHALLENGE#run-3', sk } }));
    expect((await item('D#tui#2026-12-08')).Item).toMatchObject({ day: '2026-12-08', expiresAt });
    expect((await item('P#tui')).Item).toMatchObject({ lastDay: '2026-12-08', expiresAt });
  });
});
