import { writeFileSync } from 'node:fs';
import * as fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { snowflakeAt } from '../../shared/platforms/discord/snowflake';
import { bodiesFrom, FUZZ_RUNS, FUZZ_SEED, FUZZ_WRITES, fieldsFrom } from '../support/fuzz';
import { PLATFORM_CONFIGS, type PlatformKind, signedRequest } from '../support/platform-requests';
import { type Answer, type WebhookHarness, webhookHarness } from '../support/webhook-harness';

/**
 * Property-based fuzzing of every platform's verify and parse and of the
 * generic webhook, through the shared pipeline (with the webhook handler's own
 * error mapper) on the embedded DynamoDB: bodies a platform really sends,
 * broken a few ways at once (see `tests/support/fuzz.ts`), each correctly
 * signed (and sealed, for WeCom and Feishu) so that parsing is reached.
 * Whatever the body:
 * - never a 5xx;
 * - a 4xx is a JSON error that names the field (a 401 the header), a 400 as
 *   the platform names it (never a Hearth-only name such as occurredAt on a
 *   platform without one);
 * - a refused request writes nothing and publishes nothing.
 * 10,000 bodies an endpoint (FUZZ_RUNS), from a fixed seed (FUZZ_SEED) so a
 * failure is reproduced by the next run; fast-check shrinks it to a small body.
 * Every refused body goes through the whole pipeline with its writes counted;
 * of the accepted ones, the first 200 (FUZZ_WRITES) are written too and the
 * rest are checked up to the point of writing, since writes are what a fuzz
 * run spends its time on (about 3 ms each on the embedded engine).
 */

const NOW = new Date('2026-11-25T10:00:00.000Z');
const S = Math.floor(NOW.getTime() / 1000);
const MS = NOW.getTime();

let hearth: WebhookHarness;
const counts: Record<string, Record<string, number>> = {};

beforeAll(async () => {
  hearth = await webhookHarness(() => NOW, 'pipeline');
});

/** Count one outcome (a status, or `accepted, not written`) for an endpoint. */
function tallied(endpoint: string, outcome: string): void {
  counts[endpoint] ??= {};
  counts[endpoint][outcome] = (counts[endpoint][outcome] ?? 0) + 1;
}

/** Hearth's own names for an event's fields, which a platform's 400 must not use unless the platform does too. */
const CANONICAL = new Set(
  ['id', 'type', 'occurredAt', 'channelId', 'replyTo', 'text', 'toMemberId', 'referralCode', 'member'].concat(
    ['id', 'name', 'birthday', 'timezone', 'locale', 'isBot', 'isStaff'].map((f) => `member.${f}`),
  ),
);

/** Every path in a body, dot-joined (list indexes included). */
function pathsIn(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return [path, ...pathsIn(child, path)];
  });
}

/** Fails the property with `message` unless `condition` holds (plain checks: tens of thousands of expects cost seconds). */
function check(condition: boolean, message: string, answer: Answer): void {
  if (!condition) throw new Error(`${message}: ${JSON.stringify(answer)}`);
}

/** The contract every answer keeps; `endpoint` tallies the statuses for the report. */
function holds(endpoint: string, answer: Answer, ownNames: ReadonlySet<string>): void {
  tallied(endpoint, String(answer.status));
  check(answer.status < 500, 'a 5xx', answer);
  if (answer.status >= 400) {
    check(
      typeof answer.json?.error === 'string' && typeof answer.json?.message === 'string',
      'not a JSON error',
      answer,
    );
    const field = answer.json?.field;
    check(typeof field === 'string' && field !== '', 'a 4xx naming no field', answer);
    check(answer.writes === 0, 'a refused request wrote', answer);
    check(answer.published === 0, 'a refused request published', answer);
  }
  if (answer.status === 400) {
    const field = answer.json?.field;
    check(
      !CANONICAL.has(field as string) || ownNames.has(field as string),
      `${endpoint} named Hearth's own field`,
      answer,
    );
  }
}

let seq = 0;
async function fuzz(
  endpoint: string,
  platform: PlatformKind,
  bodies: fc.Arbitrary<string>,
  templates: readonly object[],
  contentType?: string,
) {
  const ownNames = new Set(templates.flatMap((template) => pathsIn(template)));
  let written = 0;
  await fc.assert(
    fc.asyncProperty(bodies, async (body) => {
      const request = signedRequest(hearth.communities[platform], body, NOW, { seq: ++seq, contentType });
      // A refused body always goes through the pipeline, so that its writes are counted; an accepted one
      // is written while the endpoint's budget lasts, then checked up to the point of writing.
      if ((await hearth.parses(request)) && written >= FUZZ_WRITES) {
        tallied(endpoint, 'accepted, not written');
        return;
      }
      const answer = await hearth.send(request);
      if (answer.status === 200) written++;
      holds(endpoint, answer, ownNames);
    }),
    { numRuns: FUZZ_RUNS, seed: FUZZ_SEED, endOnFailure: true },
  );
}

const member = { id: 'ada', name: 'Ada', birthday: '03-14', timezone: 'Europe/Paris', locale: 'en', isBot: false };
const slackUser = { id: 'U1', name: 'ada', real_name: 'Ada', tz: 'Europe/Paris', profile: { display_name: 'Ada' } };
const tgUser = { id: 42, is_bot: false, first_name: 'Ada', last_name: 'L', username: 'ada', language_code: 'en' };
const tgChat = { id: Number(PLATFORM_CONFIGS.telegram.chatId), type: 'supergroup' };
const discordUser = { id: '80351110224678912', username: 'ada', global_name: 'Ada' };

const TEMPLATES = {
  generic: [
    {
      id: 'g1',
      type: 'message.posted',
      occurredAt: NOW.toISOString(),
      member,
      channelId: 'general',
      replyTo: 'bo',
      text: 'hi',
    },
    { id: 'g2', type: 'member.joined', occurredAt: NOW.toISOString(), member, referralCode: 'FRIEND' },
    { id: 'g3', type: 'member.left', occurredAt: NOW.toISOString(), member: { id: 'bo' } },
    { id: 'g4', type: 'reaction.added', occurredAt: NOW.toISOString(), member, toMemberId: 'bo' },
    { id: 'g5', type: 'member.updated', occurredAt: NOW.toISOString(), member },
  ],
  slack: [
    { type: 'url_verification', challenge: 'c', token: 't' },
    {
      type: 'event_callback',
      event_id: 'Ev1',
      event_time: S,
      event: {
        type: 'message',
        channel: 'C0GENERAL',
        user: 'U1',
        text: 'hi',
        ts: '1.2',
        thread_ts: '1.1',
        parent_user_id: 'U2',
      },
    },
    {
      type: 'event_callback',
      event_id: 'Ev2',
      event_time: S,
      event: { type: 'reaction_added', user: 'U1', item_user: 'U2', item: { channel: 'C0GENERAL' } },
    },
    { type: 'event_callback', event_id: 'Ev3', event_time: S, event: { type: 'user_change', user: slackUser } },
    {
      type: 'event_callback',
      event_id: 'Ev4',
      event_time: S,
      event: { type: 'member_joined_channel', user: 'U3', channel: 'C0GENERAL' },
    },
  ],
  telegram: [
    {
      update_id: 1,
      message: {
        message_id: 1,
        date: S,
        chat: tgChat,
        from: tgUser,
        text: 'hi',
        reply_to_message: { message_id: 0, from: { id: 7 } },
      },
    },
    {
      update_id: 2,
      message: { message_id: 2, date: S, chat: { id: 42, type: 'private' }, from: tgUser, text: '/optout' },
    },
    {
      update_id: 3,
      chat_member: {
        chat: tgChat,
        date: S,
        old_chat_member: { status: 'left', user: tgUser },
        new_chat_member: { status: 'member', user: tgUser },
        invite_link: { invite_link: 'https://t.me/+abc', name: 'REF1' },
      },
    },
    { update_id: 4, message: { message_id: 3, date: S, chat: tgChat, new_chat_members: [tgUser], from: tgUser } },
  ],
  feishu: [
    { type: 'url_verification', challenge: 'c', token: 'lark-vt' },
    {
      schema: '2.0',
      header: { event_id: 'e1', event_type: 'im.message.receive_v1', create_time: String(MS), token: 'lark-vt' },
      event: {
        sender: { sender_id: { open_id: 'ou_1' }, sender_type: 'user' },
        message: { message_id: 'om', chat_id: 'oc_general', message_type: 'text', content: '{"text":"/points"}' },
      },
    },
    {
      schema: '2.0',
      header: { event_id: 'e2', event_type: 'im.chat.member.user.added_v1', create_time: String(MS), token: 'lark-vt' },
      event: {
        chat_id: 'oc_general',
        users: [{ name: 'Ada', user_id: { open_id: 'ou_1' } }, { user_id: { open_id: 'ou_2' } }],
      },
    },
  ],
  dingtalk: [
    {
      msgId: 'm1',
      msgtype: 'text',
      createAt: MS,
      conversationId: 'cid',
      conversationType: '2',
      senderId: 's1',
      senderStaffId: 'staff1',
      senderNick: 'Ada',
      text: { content: '@Hearth /points' },
    },
    {
      msgId: 'm2',
      msgtype: 'text',
      createAt: MS,
      conversationId: 'cid',
      conversationType: '1',
      senderId: 's2',
      text: { content: '/help' },
    },
  ],
  discord: [
    { id: snowflakeAt(NOW, 1), type: 1 },
    {
      id: snowflakeAt(NOW, 2),
      type: 2,
      token: 'tok',
      guild_id: PLATFORM_CONFIGS.discord.guildId,
      channel_id: '1300000000000000001',
      member: { user: discordUser },
      data: {
        name: 'hearth',
        type: 1,
        options: [{ name: 'birthday', type: 1, options: [{ name: 'date', type: 3, value: '03-14' }] }],
      },
    },
    { id: snowflakeAt(NOW, 3), type: 2, token: 'tok', channel_id: '1', user: discordUser, data: { name: 'help' } },
    { id: snowflakeAt(NOW, 4), type: 4 },
    { id: snowflakeAt(NOW, 5), type: 5 },
  ],
};

const SLASH_FORMS = [
  {
    command: '/hearth',
    text: 'birthday 03-14',
    user_id: 'U1',
    channel_id: 'C0GENERAL',
    trigger_id: '1.2.3',
    user_name: 'ada',
  },
  { command: '/points', text: '', user_id: 'U2', channel_id: 'D1', trigger_id: '4.5.6' },
];
const WECOM_MESSAGES = [
  {
    ToUserName: 'wwcorp',
    FromUserName: 'u1',
    CreateTime: String(S),
    MsgType: 'text',
    Content: '/points',
    MsgId: '1',
    AgentID: '1000002',
  },
  {
    ToUserName: 'wwcorp',
    CreateTime: String(S),
    MsgType: 'event',
    Event: 'change_external_chat',
    ChatId: 'wrOg',
    UpdateDetail: 'add_member',
    State: 'REF1',
    MemChangeList: '<Item>wm1</Item><Item>wm2</Item>',
  },
];

/** A WeCom plaintext message from its fields, values as they are (so a value may break the XML). */
const wecomXml = (fields: Record<string, string>) =>
  `<xml>${Object.entries(fields)
    .map(([key, value]) =>
      key === 'MemChangeList' ? `<${key}>${value}</${key}>` : `<${key}><![CDATA[${value}]]></${key}>`,
    )
    .join('')}</xml>`;

describe('Fuzz: every webhook endpoint, 10,000 signed bodies each', () => {
  it.each(['generic', 'telegram', 'feishu', 'dingtalk', 'discord'] as const)(
    '%s: never a 5xx, every 4xx a JSON error naming the field, nothing written on a refusal',
    async (platform) => {
      await fuzz(platform, platform, bodiesFrom(TEMPLATES[platform]), TEMPLATES[platform]);
    },
    120_000,
  );

  it('slack (Events API JSON): the same', async () => {
    await fuzz('slack', 'slack', bodiesFrom(TEMPLATES.slack), TEMPLATES.slack);
  }, 120_000);

  it('slack (slash commands, form-encoded): the same', async () => {
    const forms = fieldsFrom(SLASH_FORMS).map((fields) => new URLSearchParams(fields).toString());
    await fuzz('slack-commands', 'slack', forms, SLASH_FORMS, 'application/x-www-form-urlencoded');
  }, 120_000);

  it('wecom (encrypted XML): the same', async () => {
    const messages = fc.oneof(
      { weight: 9, arbitrary: fieldsFrom(WECOM_MESSAGES).map(wecomXml) },
      {
        weight: 1,
        arbitrary: fc
          .integer({ min: 5, max: 2_000 })
          .map((depth) => `<xml>${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}</xml>`),
      },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
    );
    await fuzz('wecom', 'wecom', messages, WECOM_MESSAGES);
  }, 120_000);

  it('sent every endpoint its bodies, and some of each were accepted and some refused', () => {
    // Assess: the fuzzing reached both the accepting and the refusing paths everywhere.
    for (const endpoint of [
      'generic',
      'slack',
      'slack-commands',
      'telegram',
      'wecom',
      'feishu',
      'dingtalk',
      'discord',
    ]) {
      const tally = counts[endpoint] ?? {};
      const total = Object.values(tally).reduce((a, b) => a + b, 0);
      expect(total, endpoint).toBe(FUZZ_RUNS);
      expect(tally['200'] ?? 0, endpoint).toBeGreaterThan(0);
      expect(tally['400'] ?? 0, endpoint).toBeGreaterThan(0);
    }
    if (process.env.FUZZ_REPORT) writeFileSync(process.env.FUZZ_REPORT, JSON.stringify(counts));
  });
});
