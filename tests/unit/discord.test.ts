import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { commandIn } from '../../shared/domain/events';
import { DISCORD_TOLERANCE_SECONDS, adapter as discordAdapter } from '../../shared/platforms/discord/inbound';
import { snowflakeAt, snowflakeDate } from '../../shared/platforms/discord/snowflake';
import type { AdapterContext, InboundRequest } from '../../shared/platforms/types';
import { literalSecrets } from '../../shared/runtime/secrets';
import { communityConfig, hearthError } from '../support/fixtures';

// A key pair made for the test; the config holds the raw public key as hex, as the Developer Portal shows it.
const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const PUBLIC_KEY_HEX = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex');
const OTHER_PRIVATE_KEY = generateKeyPairSync('ed25519').privateKey;

const GUILD = '290926798626357999';
const NOW = new Date('2026-11-25T10:00:00Z');
const T = Math.floor(NOW.getTime() / 1000);
const discord = (extra: Record<string, unknown> = {}) => ({
  kind: 'discord',
  publicKey: PUBLIC_KEY_HEX,
  applicationId: '1180000000000000001',
  botToken: 'bot-token',
  ...extra,
});
const anyGuild = communityConfig({ id: 'makers', platform: discord() });
const oneGuild = communityConfig({ id: 'makers-guild', platform: discord({ guildId: GUILD }) });
const context = (community = anyGuild, now = NOW): AdapterContext => ({ community, secrets: literalSecrets, now });

/** A request as Discord sends it: signed over timestamp + body unless told otherwise. */
function discordRequest(
  body: unknown,
  options: { timestamp?: number; key?: KeyObject; headers?: Record<string, string | undefined> } = {},
) {
  const rawBody = typeof body === 'string' ? body : JSON.stringify(body);
  const timestamp = String(options.timestamp ?? T);
  const signature = sign(null, Buffer.from(timestamp + rawBody), options.key ?? privateKey).toString('hex');
  return {
    method: 'POST',
    query: {},
    rawBody,
    headers: {
      'content-type': 'application/json',
      'x-signature-ed25519': signature,
      'x-signature-timestamp': timestamp,
      ...options.headers,
    },
  } satisfies InboundRequest;
}

// An interaction made 1.5 s before NOW: a snowflake's top bits are milliseconds since 2015-01-01.
const CREATED = new Date(NOW.getTime() - 1500);
const INTERACTION_ID = snowflakeAt(CREATED, 0x2a041);

/** A slash command interaction invoked in the guild, in the documented shape. */
const slashCommand = (name: string, options?: unknown[], extra: Record<string, unknown> = {}) => ({
  app_permissions: '442368',
  application_id: '1180000000000000001',
  authorizing_integration_owners: { '0': GUILD },
  channel: { id: '645027906669510667', name: 'general', type: 0, guild_id: GUILD },
  channel_id: '645027906669510667',
  context: 0,
  data: { id: '771825006014889984', name, type: 1, ...(options ? { options } : {}) },
  entitlements: [],
  guild: { id: GUILD, features: [], locale: 'en-US' },
  guild_id: GUILD,
  guild_locale: 'en-US',
  id: INTERACTION_ID,
  locale: 'en-US',
  member: {
    avatar: null,
    deaf: false,
    flags: 0,
    joined_at: '2017-03-13T19:19:14.040000+00:00',
    mute: false,
    nick: null,
    pending: false,
    permissions: '2147483647',
    premium_since: null,
    roles: ['539082325061836999'],
    user: {
      avatar: 'a_d5efa99b3eeaa7dd43acca82f5692432',
      discriminator: '0',
      global_name: 'Mason',
      id: '53908232506183680',
      public_flags: 131141,
      username: 'mason',
    },
  },
  token: 'aW50ZXJhY3Rpb246MTMxMDU0NDE3ODM5NTYwNzA0MTpBX1VOSVFVRV9UT0tFTg',
  type: 2,
  version: 1,
  ...extra,
});

/** The same command invoked in a DM with the bot: `user` instead of `member`, no guild. */
const dmCommand = (name: string, options?: unknown[]) => {
  const { member, guild, guild_id, ...rest } = slashCommand(name, options, {
    authorizing_integration_owners: { '0': '0' },
    channel: { id: '1310000000000000009', type: 1 },
    channel_id: '1310000000000000009',
    context: 1,
  });
  return { ...rest, user: { id: '53908232506183680', username: 'mason', global_name: null, discriminator: '0' } };
};

const verifyError = (request: InboundRequest, ctx = context()) =>
  hearthError(() => discordAdapter.verify(request, ctx));
const parseError = (request: InboundRequest, ctx = context()) => hearthError(() => discordAdapter.parse(request, ctx));

describe('Object: discordAdapter', () => {
  describe('Function: verify', () => {
    it('accepts a request signed with the application key within the replay window', async () => {
      await expect(discordAdapter.verify(discordRequest({ type: 1 }), context())).resolves.toBeUndefined();
      await expect(
        discordAdapter.verify(discordRequest(slashCommand('points'), { timestamp: T - 299 }), context()),
      ).resolves.toBeUndefined();
    });

    it.each([
      ['a signature by another key', discordRequest({ type: 1 }, { key: OTHER_PRIVATE_KEY }), 'does not match'],
      [
        'a tampered body',
        { ...discordRequest(slashCommand('points')), rawBody: JSON.stringify(slashCommand('optout')) },
        'does not match',
      ],
      [
        'a signature over another timestamp',
        {
          ...discordRequest({ type: 1 }),
          headers: { ...discordRequest({ type: 1 }).headers, 'x-signature-timestamp': String(T - 1) },
        },
        'does not match',
      ],
      ['a stale timestamp', discordRequest({ type: 1 }, { timestamp: T - DISCORD_TOLERANCE_SECONDS - 1 }), 'stale'],
      ['a timestamp from the future', discordRequest({ type: 1 }, { timestamp: T + 301 }), 'stale'],
      [
        'a missing signature',
        discordRequest({ type: 1 }, { headers: { 'x-signature-ed25519': undefined } }),
        'missing',
      ],
      [
        'a missing timestamp',
        discordRequest({ type: 1 }, { headers: { 'x-signature-timestamp': undefined } }),
        'missing',
      ],
      [
        'a signature that is not hex',
        discordRequest({ type: 1 }, { headers: { 'x-signature-ed25519': 'zz'.repeat(64) } }),
        'malformed',
      ],
      [
        'a short signature',
        discordRequest({ type: 1 }, { headers: { 'x-signature-ed25519': 'ab'.repeat(32) } }),
        'malformed',
      ],
      [
        'a timestamp that is not a number',
        discordRequest({ type: 1 }, { headers: { 'x-signature-timestamp': '1.5e9' } }),
        'malformed',
      ],
    ])('refuses %s with 401', async (_what, request, message) => {
      // Act
      const error = await verifyError(request as InboundRequest);

      // Assess
      expect(error.statusCode).toBe(401);
      expect(error.message).toContain(message);
    });

    it('refuses a community that is not on Discord', async () => {
      // Act
      const error = await verifyError(discordRequest({ type: 1 }), context(communityConfig()));

      // Assess
      expect(error.statusCode).toBe(401);
    });
  });

  describe('Function: parse', () => {
    it('answers PING with PONG and no events', () => {
      // Act
      const parsed = discordAdapter.parse(
        discordRequest({ application_id: '1180000000000000001', id: INTERACTION_ID, token: 'x', type: 1, version: 1 }),
        context(),
      );

      // Assess
      expect(parsed).toEqual({
        events: [],
        reply: { statusCode: 200, contentType: 'application/json', body: '{"type":1}' },
      });
    });

    it('turns a slash command into message.posted at the snowflake time, deferred ephemerally with its token', () => {
      // Act
      const parsed = discordAdapter.parse(
        discordRequest(slashCommand('birthday', [{ name: 'date', type: 3, value: '03-14' }])),
        context(),
      );

      // Assess
      expect(parsed.events).toEqual([
        {
          id: `discord:cmd:${INTERACTION_ID}`,
          type: 'message.posted',
          occurredAt: CREATED.toISOString(),
          member: { id: '53908232506183680', name: 'Mason' },
          channelId: '645027906669510667',
          text: '/birthday 03-14',
        },
      ]);
      expect(JSON.parse(parsed.reply?.body ?? '')).toEqual({ type: 5, data: { flags: 64 } });
      expect(parsed.reply?.statusCode).toBe(200);
      expect(parsed.answers).toEqual({
        [`discord:cmd:${INTERACTION_ID}`]: {
          private: true,
          token: 'aW50ZXJhY3Rpb246MTMxMDU0NDE3ODM5NTYwNzA0MTpBX1VOSVFVRV9UT0tFTg',
        },
      });
    });

    it.each([
      [
        '/birthday 03-14',
        'birthday',
        [{ name: 'date', type: 3, value: '03-14' }],
        { name: 'birthday', args: ['03-14'] },
      ],
      [
        '/birthday 1990-03-14',
        'birthday',
        [{ name: 'date', type: 3, value: ' 1990-03-14 ' }],
        { name: 'birthday', args: ['1990-03-14'] },
      ],
      [
        '/timezone Europe/Berlin',
        'timezone',
        [{ name: 'zone', type: 3, value: 'Europe/Berlin' }],
        { name: 'timezone', args: ['Europe/Berlin'] },
      ],
      ['/points', 'points', undefined, { name: 'points', args: [] }],
      ['/optout', 'optout', [], { name: 'optout', args: [] }],
      ['/help', 'help', undefined, { name: 'help', args: [] }],
      [
        '/hearth birthday 03-14 (a subcommand)',
        'hearth',
        [{ name: 'birthday', type: 1, options: [{ name: 'date', type: 3, value: '03-14' }] }],
        { name: 'hearth', args: ['birthday', '03-14'] },
      ],
      [
        '/remind 5 true (integer and boolean options)',
        'remind',
        [
          { name: 'n', type: 4, value: 5 },
          { name: 'b', type: 5, value: true },
        ],
        { name: 'remind', args: ['5', 'true'] },
      ],
    ])('gives %s text that commandIn recognises', (_what, name, options, command) => {
      // Act
      const [event] = discordAdapter.parse(discordRequest(slashCommand(name, options)), context()).events;

      // Assess
      expect(event.type).toBe('message.posted');
      expect(commandIn(event.type === 'message.posted' ? event.text : undefined)).toEqual(command);
    });

    it('takes the invoker from `user` in a DM, and from `member.user` in a guild', () => {
      // Act
      const [dm] = discordAdapter.parse(
        discordRequest(dmCommand('timezone', [{ name: 'zone', type: 3, value: 'Asia/Tokyo' }])),
        context(oneGuild),
      ).events;
      const [guild] = discordAdapter.parse(discordRequest(slashCommand('points')), context(oneGuild)).events;

      // Assess
      expect(dm).toEqual(
        expect.objectContaining({
          member: { id: '53908232506183680', name: 'mason' },
          channelId: '1310000000000000009',
          text: '/timezone Asia/Tokyo',
        }),
      );
      expect(guild).toEqual(expect.objectContaining({ member: { id: '53908232506183680', name: 'Mason' } }));
    });

    it('marks a bot invoker and takes the channel from `channel` when `channel_id` is absent', () => {
      // Prepare
      const { channel_id, ...body } = slashCommand('points');
      body.member.user = { ...body.member.user, bot: true } as typeof body.member.user;

      // Act
      const [event] = discordAdapter.parse(discordRequest(body), context()).events;

      // Assess
      expect(event).toEqual(
        expect.objectContaining({ member: expect.objectContaining({ isBot: true }), channelId: channel_id }),
      );
    });

    it("answers a command from another guild than the community's without an event", () => {
      // Act
      const parsed = discordAdapter.parse(
        discordRequest(slashCommand('points', undefined, { guild_id: '111111111111111111' })),
        context(oneGuild),
      );

      // Assess
      expect(parsed.events).toEqual([]);
      expect(parsed.answers).toBeUndefined();
      const reply = JSON.parse(parsed.reply?.body ?? '');
      expect(reply).toEqual({ type: 4, data: { content: expect.stringContaining('not the community'), flags: 64 } });
    });

    it('answers a user or message command (not a slash command) without an event', () => {
      // Act
      const parsed = discordAdapter.parse(
        discordRequest(
          slashCommand('Give kudos', undefined, {
            data: { id: '1', name: 'Give kudos', type: 2, target_id: '53908232506183681' },
          }),
        ),
        context(),
      );

      // Assess
      expect(parsed.events).toEqual([]);
      expect(JSON.parse(parsed.reply?.body ?? '').type).toBe(4);
    });

    it.each([
      [
        'an autocomplete request with no choices',
        {
          ...slashCommand('timezone'),
          type: 4,
          data: {
            id: '1',
            name: 'timezone',
            type: 1,
            options: [{ type: 3, name: 'zone', value: 'Europe/Be', focused: true }],
          },
        },
        { type: 8, data: { choices: [] } },
      ],
      [
        'a button press with a deferred update',
        {
          ...slashCommand('points'),
          type: 3,
          data: { custom_id: 'click_one', component_type: 2 },
          message: { id: '1', channel_id: '2' },
        },
        { type: 6 },
      ],
      [
        'a modal submit with an ephemeral message',
        { ...slashCommand('points'), type: 5, data: { custom_id: 'form', components: [] } },
        { type: 4, data: { content: expect.any(String), flags: 64 } },
      ],
    ])('acknowledges %s and produces no events', (_what, body, reply) => {
      // Act
      const parsed = discordAdapter.parse(discordRequest(body), context());

      // Assess
      expect(parsed.events).toEqual([]);
      expect(JSON.parse(parsed.reply?.body ?? '')).toEqual(reply);
    });

    it.each([
      ['a body that is not JSON', '{"type":', '(body)'],
      ['a body without a type', { id: INTERACTION_ID }, 'type'],
      ['an unknown interaction type', { type: 42 }, 'type'],
      ['a command without a token', { ...slashCommand('points'), token: undefined }, 'token'],
      ['a command without data', { ...slashCommand('points'), data: undefined }, 'data'],
      ['a command whose id is not a snowflake', { ...slashCommand('points'), id: 'abc' }, 'id'],
      ['a command without an invoker', { ...slashCommand('points'), member: undefined }, 'member.user'],
      [
        'a command without a channel',
        { ...slashCommand('points'), channel_id: undefined, channel: undefined },
        'channel_id',
      ],
      [
        'an option value of the wrong shape',
        slashCommand('birthday', [{ name: 'date', type: 3, value: { day: 14 } }]),
        'data.options.0.value',
      ],
    ])('refuses %s with 400 naming the field', async (_what, body, field) => {
      // Act
      const error = await parseError(discordRequest(body));

      // Assess
      expect(error.statusCode).toBe(400);
      expect(error.field).toBe(field);
    });
  });
});

describe('Function: snowflakeAt', () => {
  it('makes the snowflake snowflakeDate reads back, with the low bits given', () => {
    // Act
    const id = snowflakeAt(new Date('2016-04-30T11:18:25.796Z'), 7);

    // Assess
    expect(snowflakeDate(id).toISOString()).toBe('2016-04-30T11:18:25.796Z');
    expect(BigInt(id) & 0x3fffffn).toBe(7n);
    expect(snowflakeAt(new Date('2016-04-30T11:18:25.796Z'), 0x20007)).toBe('175928847299117063');
  });
});

describe('Function: snowflakeDate', () => {
  it('reads the creation time off a snowflake (Discord epoch 2015-01-01)', () => {
    expect(snowflakeDate('175928847299117063').toISOString()).toBe('2016-04-30T11:18:25.796Z');
    expect(snowflakeDate('0').toISOString()).toBe('2015-01-01T00:00:00.000Z');
    expect(() => snowflakeDate('12a')).toThrow(RangeError);
  });
});
