import { beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessage, ChatSender, SendResult } from '../../shared/chat/sender';
import { literalSecrets } from '../../shared/runtime/secrets';
import { CommunityCache, putCommunity } from '../../shared/store/communities';
import type { Db } from '../../shared/store/db';
import { watchesBetween } from '../../shared/store/watches';
import type { PipelineDeps } from '../../shared/webhook/pipeline';
import { calendarSweep } from '../../shared/workflows/calendar/decisions';
import { calendarReport } from '../../shared/workflows/calendar/report';
import { dispatch } from '../../shared/workflows/dispatch';
import { freshTable } from '../support/dynamo';
import { communityConfig } from '../support/fixtures';
import { noMetrics, postGeneric, silentPublisher } from '../support/senders';

const SECRET = 'whsec_post_responses';
// Berlin in November is UTC+1: the Tuesday post at 10:00 local goes at 09:00 UTC.
const MAKERS = communityConfig({
  id: 'makers',
  timezone: 'Europe/Berlin',
  locale: 'en',
  webhookSecret: SECRET,
  onboarding: { enabled: false },
  templates: { en: { topic: 'Topic of the week: what are you building?' } },
  calendar: [
    {
      id: 'topic',
      template: 'topic',
      owner: 'Ana',
      channel: 'general',
      rrule: 'FREQ=WEEKLY;BYDAY=TU;BYHOUR=10;BYMINUTE=0',
      start: '2026-11-01',
    },
  ],
});

/** Posts as a platform does: each message gets the platform's id, in the form its events name it. */
class PostingSender implements ChatSender {
  readonly sent: ChatMessage[] = [];
  async send(message: ChatMessage): Promise<SendResult> {
    this.sent.push(message);
    return { posted: { messageId: `general:17000000${this.sent.length}.000100`, channel: message.channel ?? 'x' } };
  }
}

let db: Db;
let deps: PipelineDeps;
let seq = 0;

/** A signed generic event, delivered at its own time; returns its id. */
async function deliver(event: Record<string, unknown>, options: { id?: string } = {}): Promise<string> {
  const id = options.id ?? `ev-${++seq}`;
  await postGeneric(deps, { id: MAKERS.id, secret: SECRET }, { id, ...event }, new Date(event.occurredAt as string));
  return id;
}
const message = (member: string, occurredAt: string, extra: Record<string, unknown> = {}) =>
  deliver({ type: 'message.posted', occurredAt, member: { id: member }, channelId: 'general', ...extra });
const reaction = (member: string, occurredAt: string, messageId: string, toMemberId = 'hearth') =>
  deliver({ type: 'reaction.added', occurredAt, member: { id: member }, toMemberId, messageId });

describe('Responses to calendar posts, counted for the digest', () => {
  const sender = new PostingSender();
  const POST = 'general:170000001.000100';

  beforeAll(async () => {
    db = await freshTable('post-responses');
    await putCommunity(db, MAKERS, new Date('2026-11-01T00:00:00Z'));
    deps = {
      db,
      communities: new CommunityCache(db),
      secrets: literalSecrets,
      publisher: silentPublisher,
      metrics: noMetrics,
    };
    // Tuesday 24 November: planned at 09:50 local, posted at 10:00 local (09:00 UTC).
    await calendarSweep(db, [MAKERS], new Date('2026-11-24T08:50:00Z'), {});
    await dispatch(
      { db, communities: new CommunityCache(db, 0), senderFor: () => sender },
      new Date('2026-11-24T09:00:10Z'),
      {},
    );
  });

  it('records the post with the id the platform gave it', async () => {
    // Assess
    const [watch] = await watchesBetween(
      db,
      MAKERS.id,
      new Date('2026-11-24T00:00:00Z'),
      new Date('2026-11-25T00:00:00Z'),
    );
    expect(sender.sent.map((m) => m.kind)).toEqual(['post']);
    expect(watch).toMatchObject({
      kind: 'post',
      messageId: POST,
      channel: 'general',
      sentAt: '2026-11-24T09:00:10.000Z',
    });
  });

  it('counts replies, reactions and the channel for a day, each event once', async () => {
    // Act
    const reply = await message('ada', '2026-11-24T09:05:00Z', { replyTo: 'hearth', replyToMessage: POST });
    await message('ada', '2026-11-24T09:10:00Z', { replyTo: 'hearth', replyToMessage: POST });
    await message('ada', '2026-11-24T09:15:00Z', { replyTo: 'hearth', replyToMessage: POST });
    // The platform's retry of the first reply: the same event id.
    await deliver(
      {
        type: 'message.posted',
        occurredAt: '2026-11-24T09:05:00Z',
        member: { id: 'ada' },
        channelId: 'general',
        replyTo: 'hearth',
        replyToMessage: POST,
      },
      { id: reply },
    );
    await reaction('ben', '2026-11-24T09:06:00Z', POST);
    await reaction('cy', '2026-11-24T09:07:00Z', 'general:1699999999.000100', 'ada');
    await message('cy', '2026-11-24T15:00:00Z');
    await message('cy', '2026-11-24T15:01:00Z', { channelId: 'random' });
    await message('bot', '2026-11-24T15:02:00Z', { member: { id: 'bot', isBot: true } });
    await message('dee', '2026-11-24T15:03:00Z', { text: '/points' });
    // A day and a minute after the post: outside its window.
    await message('eve', '2026-11-25T09:01:10Z', { replyTo: 'hearth', replyToMessage: POST });

    // Assess: three replies from Ada (one delivered twice), one reaction, four channel messages in the day.
    const [watch] = await watchesBetween(
      db,
      MAKERS.id,
      new Date('2026-11-24T00:00:00Z'),
      new Date('2026-11-25T00:00:00Z'),
    );
    expect(watch).toMatchObject({ replies: 3, reactions: 1, channelMessages: 4 });
  });

  it("gives the digest the week's posts, by entry and owner, with their counts", async () => {
    // Act: the ISO week of Monday 23 November, in Berlin.
    const calendar = await calendarReport(db, MAKERS, { first: '2026-11-23', last: '2026-11-29' });
    const before = await calendarReport(db, MAKERS, { first: '2026-11-16', last: '2026-11-22' });

    // Assess
    expect(calendar).toEqual({
      posts: [
        {
          entry: 'topic',
          owner: 'Ana',
          sentAt: '2026-11-24T09:00:10.000Z',
          local: '2026-11-24 10:00',
          replies: 3,
          reactions: 1,
          channelMessages: 4,
        },
      ],
      challenges: [],
    });
    expect(before.posts).toEqual([]);
  });
  it("counts a post's first responses, though the webhook read its open posts just before it went", async () => {
    // Arrange: Tuesday 1 December, planned at 09:50 local (it is marked due at 09:00 UTC).
    await calendarSweep(db, [MAKERS], new Date('2026-12-01T08:50:00Z'), {});
    // A message 10 s before the post is due: the webhook reads the community's open posts, the post not among them.
    await message('cy', '2026-12-01T08:59:50Z');
    // Due and not yet gone: the webhook reads again at the due minute, and every few seconds after.
    await message('cy', '2026-12-01T09:00:01Z');

    // Act: the post goes at 09:00:05; its first reply and reaction come within seconds.
    await dispatch(
      { db, communities: new CommunityCache(db, 0), senderFor: () => sender },
      new Date('2026-12-01T09:00:05Z'),
      {},
    );
    // The platform's id of the post: its place among the sender's messages (a reply to /points went too).
    const post = `general:17000000${sender.sent.map((m) => m.kind).lastIndexOf('post') + 1}.000100`;
    await message('ada', '2026-12-01T09:00:07Z', { replyTo: 'hearth', replyToMessage: post });
    await reaction('ben', '2026-12-01T09:00:08Z', post);

    // Assess: the messages before the post are not its responses; the reply and the reaction are.
    const [watch] = await watchesBetween(
      db,
      MAKERS.id,
      new Date('2026-12-01T00:00:00Z'),
      new Date('2026-12-02T00:00:00Z'),
    );
    expect(sender.sent.filter((m) => m.kind === 'post')).toHaveLength(2);
    expect(watch).toMatchObject({ messageId: post, replies: 1, reactions: 1, channelMessages: 1 });
  });
});
