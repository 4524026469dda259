import { beforeAll, describe, expect, it } from 'vitest';
import { snowflakeAt } from '../../shared/platforms/discord/snowflake';
import { getMember } from '../../shared/store/members';
import { PLATFORM_CONFIGS, type PlatformKind } from '../support/platform-requests';
import { type Answer, type WebhookHarness, webhookHarness } from '../support/webhook-harness';

/**
 * What a hostile client sent and was answered 500 (or accepted) before: each
 * is now a 4xx naming the platform's own field, and writes nothing.
 */

const NOW = new Date('2026-11-25T10:00:00.000Z');
const NOW_S = Math.floor(NOW.getTime() / 1000);
/** 2100-01-01T00:00:00Z: a time a Date holds, far in the future. */
const YEAR_2100_S = 4_102_444_800;
/** A number JSON carries and no Date can hold as seconds or milliseconds. */
const HUGE = 1e20;

let hearth: WebhookHarness;

beforeAll(async () => {
  hearth = await webhookHarness(() => NOW);
});

const slack = (over: { event_time?: unknown; event_id?: unknown; user?: unknown } = {}) =>
  JSON.stringify({
    type: 'event_callback',
    event_id: over.event_id ?? `Ev${Math.random()}`,
    event_time: over.event_time ?? NOW_S,
    event: { type: 'message', channel: PLATFORM_CONFIGS.slack.channel, user: over.user ?? 'U1', text: 'hi', ts: '1.1' },
  });
const telegram = (date: unknown, from = 42) =>
  JSON.stringify({
    update_id: Math.floor(Math.random() * 1e9),
    message: {
      message_id: 1,
      date,
      chat: { id: Number(PLATFORM_CONFIGS.telegram.chatId), type: 'supergroup' },
      from: { id: from, first_name: 'A' },
      text: 'hi',
    },
  });
const dingtalk = (over: { createAt?: unknown; msgId?: unknown } = {}) =>
  JSON.stringify({
    msgId: over.msgId ?? `m${Math.random()}`,
    msgtype: 'text',
    createAt: over.createAt ?? NOW.getTime(),
    conversationId: 'cid',
    senderStaffId: 'staff1',
    text: { content: 'hi' },
  });
const feishu = (createTime: string) =>
  JSON.stringify({
    schema: '2.0',
    header: {
      event_id: `ev${Math.random()}`,
      event_type: 'im.message.receive_v1',
      create_time: createTime,
      token: 'lark-vt',
    },
    event: {
      sender: { sender_id: { open_id: 'ou_1' }, sender_type: 'user' },
      message: { message_id: 'om', chat_id: 'oc', message_type: 'text', content: '{"text":"hi"}' },
    },
  });
const wecom = (createTime: string) =>
  `<xml><ToUserName>wwcorp</ToUserName><FromUserName>u1</FromUserName><CreateTime>${createTime}</CreateTime><MsgType>text</MsgType><Content>hi</Content><MsgId>${Math.floor(Math.random() * 1e9)}</MsgId></xml>`;
const discord = (id: string, options: unknown = []) =>
  JSON.stringify({
    id,
    type: 2,
    token: 'tok',
    channel_id: '1300000000000000001',
    guild_id: PLATFORM_CONFIGS.discord.guildId,
    member: { user: { id: '80351110224678912', username: 'ada' } },
    data: { name: 'help', type: 1, options },
  });

/** A 4xx that names `field` and wrote nothing. */
function refused(answer: Answer, field: string, status = 400) {
  expect(answer.status).toBe(status);
  expect(answer.json).toMatchObject({ error: status === 400 ? 'bad_request' : expect.any(String), field });
  expect(answer.writes).toBe(0);
}

describe('Hostile input: answered with a 4xx that names the platform’s field, never a 500', () => {
  it('accepts a valid body from each platform (the harness reaches the parser and counts writes)', async () => {
    // Act
    const answers = await Promise.all([
      hearth.signed('slack', slack(), NOW),
      hearth.signed('telegram', telegram(NOW_S), NOW),
      hearth.signed('dingtalk', dingtalk(), NOW),
    ]);

    // Assess
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.writes).toBeGreaterThan(0);
    }
  });

  it.each<[PlatformKind, string, () => string]>([
    ['slack', 'event_time', () => slack({ event_time: HUGE })],
    ['telegram', 'message.date', () => telegram(HUGE)],
    ['dingtalk', 'createAt', () => dingtalk({ createAt: HUGE })],
    ['feishu', 'header.create_time', () => feishu('9999999999999999')],
    ['feishu', 'header.create_time', () => feishu('99999999999999999999')],
    ['wecom', 'CreateTime', () => wecom('9999999999999999')],
  ])('%s: a timestamp no Date can hold is 400 naming %s', async (platform, field, body) => {
    refused(await hearth.signed(platform, body(), NOW), field);
  });

  it.each<[PlatformKind, string, () => string]>([
    ['slack', 'event_time', () => slack({ event_time: YEAR_2100_S })],
    ['telegram', 'message.date', () => telegram(YEAR_2100_S)],
    ['dingtalk', 'createAt', () => dingtalk({ createAt: YEAR_2100_S * 1000 })],
    ['feishu', 'header.create_time', () => feishu(String(YEAR_2100_S * 1000))],
    ['wecom', 'CreateTime', () => wecom(String(YEAR_2100_S))],
    ['discord', 'id', () => discord(snowflakeAt(new Date('2100-01-01T00:00:00Z')))],
  ])(
    '%s: an event dated in 2100 is 400 naming %s, as the generic webhook refuses it',
    async (platform, field, body) => {
      refused(await hearth.signed(platform, body(), NOW), field);
    },
  );

  it('leaves a Telegram member’s last active day alone when a message dated 2100 is refused', async () => {
    // Prepare: member 77 posts today.
    expect((await hearth.signed('telegram', telegram(NOW_S, 77), NOW)).status).toBe(200);

    // Act
    const future = await hearth.signed('telegram', telegram(YEAR_2100_S, 77), NOW);

    // Assess
    refused(future, 'message.date');
    const member = await getMember(hearth.db, hearth.communities.telegram.id, '77');
    expect(member?.lastActiveDay).toBe('2026-11-25');
  });

  it('accepts an event a few seconds ahead of the clock (a sender’s clock a little fast), as the generic webhook does', async () => {
    expect((await hearth.signed('telegram', telegram(NOW_S + 60), NOW)).status).toBe(200);
  });

  it.each<[PlatformKind, string, () => string]>([
    ['slack', 'event_id', () => slack({ event_id: 'E'.repeat(300) })],
    ['slack', 'event.user', () => slack({ user: 'U#1' })],
    ['dingtalk', 'msgId', () => dingtalk({ msgId: 'm'.repeat(300) })],
  ])('%s: a field Hearth refuses is named as the platform names it: %s', async (platform, field, body) => {
    refused(await hearth.signed(platform, body(), NOW), field);
  });

  it('refuses Discord command options nested a thousand deep with 400, before any schema walks them', async () => {
    // Prepare
    let options: unknown = [{ name: 'leaf', type: 3, value: 'x' }];
    for (let i = 0; i < 1000; i++) options = [{ name: 'group', type: 2, options }];
    const id = snowflakeAt(NOW);

    // Act
    const answer = await hearth.signed('discord', discord(id, options), NOW);

    // Assess
    refused(answer, '(body)');
  });

  it('ignores options below the third level Discord documents instead of walking them', async () => {
    // Prepare: a subcommand group, a subcommand, a value, and under it an options list that is not one.
    const options = [
      { name: 'g', type: 2, options: [{ name: 's', type: 1, options: [{ name: 'v', type: 1, options: 'junk' }] }] },
    ];

    // Act
    const answer = await hearth.signed('discord', discord(snowflakeAt(NOW, 7), options), NOW);

    // Assess
    expect(answer.status).toBe(200);
  });

  it('refuses a community id no table key can hold with 400 naming communityId, without reading the table', async () => {
    // Act
    const answer = await hearth.send({
      method: 'POST',
      path: `/webhooks/generic/${'c'.repeat(3000)}`,
      headers: {},
      body: '{}',
    });

    // Assess
    refused(answer, 'communityId');
  });
});
