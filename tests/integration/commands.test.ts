import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EventPublisher } from '../../shared/events/domain-events';
import { signGeneric } from '../../shared/platforms/generic/inbound';
import { literalSecrets } from '../../shared/runtime/secrets';
import { CommunityCache, putCommunity } from '../../shared/store/communities';
import type { Db } from '../../shared/store/db';
import { eventKey } from '../../shared/store/ingest';
import { inviteCodeKey, outboxId, outboxKey } from '../../shared/store/keys';
import { forgetMember, getMember, getMemberWithTotals } from '../../shared/store/members';
import { getOutboxItem } from '../../shared/store/outbox';
import { handleWebhook, type PipelineDeps } from '../../shared/webhook/pipeline';
import { answerCommand, hearthCommand } from '../../shared/workflows/commands/decisions';
import { dispatch } from '../../shared/workflows/dispatch';
import { freshTable } from '../support/dynamo';
import { communityConfig, inboundEvent } from '../support/fixtures';
import { RecordingSender } from '../support/senders';

const SECRET = 'whsec_commands_test';
const NOW = new Date('2026-11-25T10:00:00.000Z');
const ACME = communityConfig({
  id: 'acme',
  name: 'Acme Makers',
  timezone: 'Asia/Shanghai',
  locale: 'en',
  webhookSecret: SECRET,
  referrals: { linkTemplate: 'https://acme.example/join?ref={code}' },
});
const ZH = communityConfig({
  id: 'zh',
  name: '创客',
  timezone: 'Asia/Shanghai',
  locale: 'zh-CN',
  webhookSecret: SECRET,
});

const silent: EventPublisher = { publish: async () => undefined };
const noMetrics = { accepted: () => undefined, duplicates: () => undefined, rejected: () => undefined };

let db: Db;
let deps: PipelineDeps;
let sender: RecordingSender;
let seq = 0;

beforeAll(async () => {
  db = await freshTable('commands');
  await putCommunity(db, ACME, NOW);
  await putCommunity(db, ZH, NOW);
});

beforeEach(() => {
  sender = new RecordingSender();
  deps = { db, communities: new CommunityCache(db), secrets: literalSecrets, publisher: silent, metrics: noMetrics };
});

/** Member `memberId` types `text` in #general at `at`; returns the event id. */
async function say(
  memberId: string,
  text: string,
  options: { at?: Date; id?: string; community?: string; member?: object } = {},
): Promise<string> {
  const id = options.id ?? `cmd-${++seq}`;
  const rawBody = JSON.stringify({
    id,
    type: 'message.posted',
    occurredAt: (options.at ?? NOW).toISOString(),
    member: { id: memberId, ...options.member },
    channelId: 'general',
    text,
  });
  await handleWebhook(
    deps,
    {
      platform: 'generic',
      communityId: options.community ?? ACME.id,
      method: 'POST',
      headers: { 'hearth-signature': signGeneric(SECRET, rawBody, NOW) },
      query: {},
      rawBody,
    },
    NOW,
  );
  return id;
}

const replyOf = (memberId: string, eventId: string, community = ACME.id) =>
  getOutboxItem(db, community, outboxId('reply', community, memberId, eventKey(eventId)));

/** Deliver what is due a minute from now and return the texts sent to `memberId`. */
async function delivered(memberId: string): Promise<string[]> {
  await dispatch(
    { db, communities: new CommunityCache(db), senderFor: () => sender },
    new Date(NOW.getTime() + 60_000),
  );
  return sender.sent.filter((m) => m.memberId === memberId).map((m) => m.text);
}

describe('Module: commands (through the webhook and the dispatcher)', () => {
  it('saves a birthday, indexes it by month-day, and answers in the chat it came from', async () => {
    // Act
    const id = await say('ada', '/birthday 03-14', { member: { name: 'Ada' } });

    // Assess
    const member = await getMember(db, ACME.id, 'ada');
    expect(member).toMatchObject({ birthday: '03-14', status: 'member', name: 'Ada' });
    expect(member).toMatchObject({ bdayPk: 'C#acme#BDAY#03-14', bdaySk: 'ada' });
    expect(await replyOf('ada', id)).toMatchObject({
      kind: 'reply',
      template: 'reply.birthday',
      delivery: 'channel',
      channel: 'general',
      status: 'pending',
    });
    expect(await delivered('ada')).toEqual(['Thanks, Ada: your birthday is saved as 03-14.']);
  });

  it('is not activity: the command counts no message', async () => {
    // Act
    await say('quiet', '/points');

    // Assess
    const member = await getMemberWithTotals(db, ACME.id, 'quiet');
    expect(member?.messages).toBe(0);
    expect(member?.lastActiveDay).toBeUndefined();
  });

  it('answers a retried delivery once, and a newer answer is not undone by an old retry', async () => {
    // Prepare
    const optout = await say('bo', '/optout', { at: new Date(NOW.getTime() - 120_000) });
    const optin = await say('bo', '/optin', { at: new Date(NOW.getTime() - 60_000) });

    // Act: the platform delivers the older /optout again.
    await say('bo', '/optout', { id: optout, at: new Date(NOW.getTime() - 120_000) });

    // Assess
    expect((await getMember(db, ACME.id, 'bo'))?.optedOut).toBe(false);
    expect(await replyOf('bo', optout)).toMatchObject({ template: 'reply.optout' });
    expect(await replyOf('bo', optin)).toMatchObject({ template: 'reply.optin' });
    const texts = await delivered('bo');
    expect(texts).toHaveLength(2);
    expect(texts[0]).toContain('no more automated messages');
  });

  it('confirms an opt-out to the member who asked, and then sends them nothing automated', async () => {
    // Act
    const id = await say('cy', '/optout', { member: { name: 'Cy' } });
    const texts = await delivered('cy');

    // Assess
    expect((await getMember(db, ACME.id, 'cy'))?.optedOut).toBe(true);
    expect(await replyOf('cy', id)).toMatchObject({ status: 'sent' });
    expect(texts).toEqual(['Done, Cy: Acme Makers will send you no more automated messages. Send /optin to undo.']);
  });

  it('gives the same invite code each time, registered to the member, with the community link', async () => {
    // Act
    const first = await say('di', '/invite');
    const second = await say('di', '/invite');

    // Assess
    const [a, b] = [await replyOf('di', first), await replyOf('di', second)];
    expect(a?.vars.code).toMatch(/^[2-9A-HJKMNP-Z]{8}$/);
    expect(b?.vars.code).toBe(a?.vars.code);
    const code = a?.vars.code as string;
    const registered = await db.doc.send(new GetCommand({ TableName: db.table, Key: inviteCodeKey(ACME.id, code) }));
    expect(registered.Item).toMatchObject({ memberId: 'di', code });
    expect((await getMember(db, ACME.id, 'di'))?.inviteCode).toBe(code);
    expect(await delivered('di')).toContain(
      `Your invite code for Acme Makers is ${code}. Share this link: https://acme.example/join?ref=${code}`,
    );
  });

  it('counts points from the member’s messages of today when the answer is sent, once per cooldown', async () => {
    // Prepare
    await say('ed', 'hello there', { at: new Date(NOW.getTime() - 120_000) });
    await say('ed', 'hello again', { at: new Date(NOW.getTime() - 100_000) });
    const id = await say('ed', '/points', { member: { name: 'Ed' } });

    // Act: a message after asking, before the answer goes out, counts too.
    await say('ed', 'and again');
    const texts = await delivered('ed');

    // Assess
    expect((await replyOf('ed', id))?.vars).toEqual({});
    // The second message came 20 s after the first: within the cooldown, it earns nothing.
    expect(texts).toEqual(['Ed, your points: 2. Level 1, lurker. Badges: none yet.']);
  });

  it('applies a command from history but does not answer it', async () => {
    // Act: imported a month late.
    const id = await say('ka', '/timezone Europe/Paris', { at: new Date(NOW.getTime() - 30 * 86_400_000) });

    // Assess
    expect((await getMember(db, ACME.id, 'ka'))?.timezone).toBe('Europe/Paris');
    expect(await replyOf('ka', id)).toBeUndefined();
  });

  it('does not answer an older /birthday that arrives after a newer one, nor apply it', async () => {
    // Prepare
    await say('lu', '/birthday 04-15', { at: new Date(NOW.getTime() - 60_000) });

    // Act
    const late = await say('lu', '/birthday 03-14', { at: new Date(NOW.getTime() - 120_000) });

    // Assess
    expect((await getMember(db, ACME.id, 'lu'))?.birthday).toBe('04-15');
    expect(await replyOf('lu', late)).toBeUndefined();
  });

  it('keeps a forgotten member forgotten when commands said before the forget arrive late', async () => {
    // Prepare
    await say('mo', '/optin', { at: new Date(NOW.getTime() - 600_000) });
    await forgetMember(db, ACME.id, 'mo', new Date(NOW.getTime() - 300_000));

    // Act
    await say('mo', '/optin', { at: new Date(NOW.getTime() - 400_000) });
    await say('mo', '/timezone Europe/Berlin', { at: new Date(NOW.getTime() - 400_000) });

    // Assess
    const member = await getMember(db, ACME.id, 'mo');
    expect(member?.optedOut).toBe(true);
    expect(member?.timezone).toBeUndefined();
  });

  it('keeps a time zone the member chose when the platform’s profile says another', async () => {
    // Prepare
    await say('ny', '/timezone Asia/Tokyo', { at: new Date(NOW.getTime() - 60_000) });

    // Act: a later profile update from the platform carries its own time zone.
    await say('ny', 'hello', { member: { name: 'Ny', timezone: 'America/New_York' } });

    // Assess
    expect(await getMember(db, ACME.id, 'ny')).toMatchObject({ name: 'Ny', timezone: 'Asia/Tokyo' });
  });

  it('answers a bad argument with the expected form and changes nothing', async () => {
    // Act
    const id = await say('fa', '/timezone Mars/Olympus_Mons');

    // Assess
    expect((await getMember(db, ACME.id, 'fa'))?.timezone).toBeUndefined();
    expect(await replyOf('fa', id)).toMatchObject({ template: 'reply.timezone.usage' });
  });

  it('answers in the member’s own locale, else the community’s', async () => {
    // Act
    const zh = await say('gu', '/timezone Asia/Shanghai', { community: ZH.id, member: { name: '顾' } });
    const en = await say('hu', '/timezone Europe/Berlin', { community: ZH.id, member: { name: 'Hu', locale: 'en' } });
    await dispatch(
      { db, communities: new CommunityCache(db), senderFor: () => sender },
      new Date(NOW.getTime() + 60_000),
    );

    // Assess
    expect((await getMember(db, ZH.id, 'gu'))?.timezone).toBe('Asia/Shanghai');
    expect(sender.sent.find((m) => m.id.endsWith(eventKey(zh)))?.text).toBe('谢谢，顾：你的时区已设为 Asia/Shanghai。');
    expect(sender.sent.find((m) => m.id.endsWith(eventKey(en)))?.text).toBe(
      'Thanks, Hu: your time zone is now Europe/Berlin.',
    );
  });

  it('lists every command in the help, those other workflows declare included, in the member’s locale', async () => {
    // Act
    await say('hy', '/help');
    await say('hz', '/help', { community: ZH.id });
    await dispatch(
      { db, communities: new CommunityCache(db), senderFor: () => sender },
      new Date(NOW.getTime() + 60_000),
    );

    // Assess
    const list = '/birthday MM-DD · /timezone Area/City · /optout · /optin · /invite · /points · /checkin · /help';
    expect(sender.sent.filter((m) => m.memberId === 'hy').map((m) => m.text)).toEqual([`What I understand: ${list}`]);
    expect(sender.sent.filter((m) => m.memberId === 'hz').map((m) => m.text)).toEqual([`我能听懂这些命令：${list}`]);
  });

  it('still sends a help queued before its list was kept, with the commands workflow’s own', async () => {
    // Prepare: an answer as an earlier version queued it, without the list.
    const event = inboundEvent('message.posted', 'hq', NOW.toISOString(), { channelId: 'general', text: '/help' });
    if (event.type !== 'message.posted') throw new Error('a message');
    const replyId = await answerCommand(db, ACME, event, { kind: 'help' }, { now: NOW });
    expect(await getOutboxItem(db, ACME.id, replyId)).toMatchObject({ vars: { commands: expect.any(String) } });
    await db.doc.send(
      new UpdateCommand({
        TableName: db.table,
        Key: outboxKey(ACME.id, replyId),
        UpdateExpression: 'REMOVE vars.commands',
      }),
    );

    // Act
    const texts = await delivered('hq');

    // Assess
    expect(texts).toEqual([
      'What I understand: /birthday MM-DD · /timezone Area/City · /optout · /optin · /invite · /points · /help',
    ]);
  });

  it('ignores commands that are not Hearth’s', async () => {
    // Act
    const id = await say('ib', '/weather tomorrow');

    // Assess
    expect(await replyOf('ib', id)).toBeUndefined();
  });

  it('answers staff, who get no automated messages', async () => {
    // Act
    const id = await say('jo', '/help', { member: { isStaff: true } });
    await delivered('jo');

    // Assess
    expect(await replyOf('jo', id)).toMatchObject({ status: 'sent' });
  });

  it.each([
    ['back to the chat it was asked in', undefined, 'channel', {}],
    ['by DM, never in a channel, when asked in private', { private: true } as const, 'dm', { private: true }],
    [
      'by completing a Discord interaction, privately',
      { private: true, token: 'interaction-token' } as const,
      'dm',
      { private: true, replyToken: 'interaction-token' },
    ],
  ])('answers %s', async (_what, route, delivery, extra) => {
    // Prepare
    const community = communityConfig({ id: `route-${++seq}` });
    const event = inboundEvent('message.posted', 'ro', NOW.toISOString(), { channelId: 'C9', text: '/birthday 03-14' });
    if (event.type !== 'message.posted') throw new Error('a message');
    const action = hearthCommand(event, community);
    if (!action) throw new Error('a command');

    // Act
    const replyId = await answerCommand(db, community, event, action, { now: NOW, route });

    // Assess
    const item = await getOutboxItem(db, community.id, replyId);
    expect(item).toMatchObject({ delivery, channel: 'C9', ...extra });
    if (!route) expect(item).not.toHaveProperty('private');
  });

  it('never lets a private answer fall back to a channel', async () => {
    // Prepare
    const event = inboundEvent('message.posted', 'pa', NOW.toISOString(), { channelId: 'general', text: '/help' });
    if (event.type !== 'message.posted') throw new Error('a message');
    await answerCommand(db, ACME, event, { kind: 'help' }, { now: NOW, route: { private: true } });

    // Act
    await delivered('pa');

    // Assess
    expect(sender.sent.find((m) => m.memberId === 'pa')).toMatchObject({ delivery: 'dm', dmFallback: false });
  });
});
