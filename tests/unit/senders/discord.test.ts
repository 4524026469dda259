import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ChatMessage, RetryLaterError, UndeliverableError } from '../../../shared/chat/sender';
import { type DiscordConfig, DiscordSender } from '../../../shared/platforms/discord/outbound';
import { literalSecrets } from '../../../shared/runtime/secrets';
import {
  discordReplies,
  type FakePlatformApi,
  fakeTime,
  serverError,
  startDiscordApi,
} from '../../support/fake-platform-apis';

const BOT_TOKEN = 'MTA5ODc2NTQzMjEwOTg3NjU0Mw.GxYzAb.secretsecretsecretsecretsecret';
const APP_ID = '1098765432109876543';
const CHANNEL = '1100000000000000001';
const OTHER_CHANNEL = '1100000000000000002';
const MEMBER = '80351110224678912';
const CLOSED = '80351110224678999';
const INTERACTION = 'aW50ZXJhY3Rpb246MTIzNDU2Nzg5MDp0b2tlbi1zZWNyZXQ';
const NOW = new Date('2026-11-25T10:00:00Z');

let api: FakePlatformApi;
beforeAll(async () => {
  api = await startDiscordApi({
    botToken: BOT_TOKEN,
    applicationId: APP_ID,
    channels: [CHANNEL, OTHER_CHANNEL],
    dmClosed: [CLOSED],
    interactions: [INTERACTION],
  });
});
afterAll(() => api.close());
beforeEach(() => api.reset());

const config = (overrides: Partial<DiscordConfig> = {}): DiscordConfig => ({
  kind: 'discord',
  publicKey: 'a'.repeat(64),
  applicationId: APP_ID,
  botToken: BOT_TOKEN,
  channelId: CHANNEL,
  apiBaseUrl: api.baseUrl,
  ...overrides,
});

const message = (overrides: Partial<ChatMessage> = {}): ChatMessage => ({
  id: 'welcome#guild#80351110224678912#2026-11-25',
  communityId: 'guild',
  platform: 'discord',
  kind: 'welcome',
  memberId: MEMBER,
  delivery: 'channel',
  channel: null,
  text: 'Welcome aboard!',
  memberName: 'Nelly',
  mention: true,
  dmFallback: true,
  ...overrides,
});

function sender(overrides: Partial<DiscordConfig> = {}, time = fakeTime()) {
  return new DiscordSender(config(overrides), literalSecrets, { now: time.now, sleep: time.sleep });
}

describe('Class: DiscordSender', () => {
  describe('Function: send', () => {
    it('posts to the channel with the bot token, pinging only the member', async () => {
      // Act
      const result = await sender().send(message(), NOW);

      // Assess: the post named by its snowflake, as a reply's reference and a reaction name it (relay.ts).
      expect(result).toEqual({ posted: { messageId: expect.stringMatching(/^\d+$/), channel: CHANNEL } });
      expect(api.requests).toHaveLength(1);
      const [request] = api.requests;
      expect(request.method).toBe('POST');
      expect(request.path).toBe(`/api/v10/channels/${CHANNEL}/messages`);
      expect(request.headers.authorization).toBe(`Bot ${BOT_TOKEN}`);
      expect(request.headers['user-agent']).toMatch(/^DiscordBot \(/);
      expect(request.body).toEqual({
        content: `<@${MEMBER}> Welcome aboard!`,
        allowed_mentions: { parse: [], users: [MEMBER] },
        nonce: expect.stringMatching(/^[0-9a-f]{25}$/),
        enforce_nonce: true,
      });
    });

    it('opens the DM channel once and posts there', async () => {
      // Prepare
      const discord = sender();

      // Act
      await discord.send(message({ delivery: 'dm', mention: false }), NOW);
      await discord.send(message({ delivery: 'dm', mention: false, text: 'Day two' }), NOW);

      // Assess
      expect(api.requests.map((r) => [r.method, r.path, r.body.recipient_id ?? r.body.content])).toEqual([
        ['POST', '/api/v10/users/@me/channels', MEMBER],
        ['POST', `/api/v10/channels/9${MEMBER}/messages`, 'Welcome aboard!'],
        ['POST', `/api/v10/channels/9${MEMBER}/messages`, 'Day two'],
      ]);
    });

    it('falls back to the channel with a mention on 50007, and records why', async () => {
      // Act
      const result = await sender().send(message({ memberId: CLOSED, delivery: 'dm', mention: false }), NOW);

      // Assess
      expect(result?.fallback).toBe(
        'discord DM refused (code 50007: cannot send messages to this user); posted in the channel with a mention',
      );
      const last = api.requests.at(-1);
      expect(last?.path).toBe(`/api/v10/channels/${CHANNEL}/messages`);
      expect(last?.body.content).toBe(`<@${CLOSED}> Welcome aboard!`);
      expect(last?.body.allowed_mentions).toEqual({ parse: [], users: [CLOSED] });
    });

    it('parks a 50007 DM as undeliverable when fallback is off', async () => {
      // Act
      const attempt = sender().send(message({ memberId: CLOSED, delivery: 'dm', dmFallback: false }), NOW);

      // Assess
      await expect(attempt).rejects.toBeInstanceOf(UndeliverableError);
      await expect(attempt).rejects.toThrow(
        'discord: create message refused (HTTP 403, code 50007: Cannot send messages to this user)',
      );
      expect(api.to('/messages')).toHaveLength(1);
    });

    it('answers a slash command by editing the original response, without the bot token', async () => {
      // Act
      await sender().send(message({ kind: 'reply', interactionToken: INTERACTION, mention: false }), NOW);

      // Assess
      expect(api.requests).toHaveLength(1);
      const [request] = api.requests;
      expect(request.method).toBe('PATCH');
      expect(request.path).toBe(`/api/v10/webhooks/${APP_ID}/${INTERACTION}/messages/@original`);
      expect(request.headers.authorization).toBeUndefined();
      expect(request.body).toEqual({ content: 'Welcome aboard!', allowed_mentions: { parse: [], users: [MEMBER] } });
    });

    it('delivers an expired interaction reply as an ordinary message', async () => {
      // Act
      const expired = 'ZXhwaXJlZC1pbnRlcmFjdGlvbi10b2tlbi1zZWNyZXQ';
      await sender().send(message({ interactionToken: expired, delivery: 'dm', mention: false }), NOW);

      // Assess
      expect(api.requests.map((r) => [r.method, r.path])).toEqual([
        ['PATCH', `/api/v10/webhooks/${APP_ID}/${expired}/messages/@original`],
        ['POST', '/api/v10/users/@me/channels'],
        ['POST', `/api/v10/channels/9${MEMBER}/messages`],
      ]);
    });

    it('never reports the interaction token, even when editing keeps failing', async () => {
      // Prepare
      api.script([serverError(500), serverError(500), serverError(500)]);

      // Act
      const attempt = sender().send(message({ interactionToken: INTERACTION }), NOW);

      // Assess
      await expect(attempt).rejects.toThrow('discord: edit interaction response failed (HTTP 500) after 3 tries');
      await attempt.catch((error: Error) => expect(error.message).not.toContain(INTERACTION));
    });

    it('waits the float retry_after of a 429, then posts', async () => {
      // Prepare
      const time = fakeTime();
      api.script(discordReplies.rateLimited(1.337));

      // Act
      await sender({}, time).send(message(), NOW);

      // Assess
      expect(time.sleeps).toEqual([1_337]);
      const posts = api.to('/messages');
      expect(posts).toHaveLength(2);
      expect(posts[1].body.nonce).toBe(posts[0].body.nonce);
    });

    it('on a long global 429 reschedules and holds every later send of the bot', async () => {
      // Prepare
      const time = fakeTime();
      const discord = sender({}, time);
      api.script(discordReplies.rateLimited(30, true));

      // Act
      const first = discord.send(message(), NOW);
      await expect(first).rejects.toBeInstanceOf(RetryLaterError);
      const second = await discord.send(message({ channel: OTHER_CHANNEL }), NOW).catch((e: unknown) => e);

      // Assess
      await expect(first).rejects.toMatchObject({ retryAt: new Date(time.now() + 30_000) });
      expect((second as Error).message).toBe('discord: paced (50 requests a second per bot), may send in 30 s');
      expect(api.requests).toHaveLength(1);
    });

    it('does not retry a 403 Missing Access and keeps the token out of the error', async () => {
      // Prepare
      api.script(discordReplies.missingAccess());

      // Act
      const attempt = sender().send(message(), NOW);

      // Assess
      await expect(attempt).rejects.toThrow('discord: create message refused (HTTP 403, code 50001: Missing Access)');
      await attempt.catch((error: Error) => expect(error.message).not.toContain(BOT_TOKEN));
      expect(api.requests).toHaveLength(1);
    });

    it('paces a channel to 5 messages per 5 seconds', async () => {
      // Prepare
      const time = fakeTime();
      const discord = sender({}, time);

      // Act
      for (let i = 0; i < 6; i++) await discord.send(message({ text: `message ${i}` }), NOW);

      // Assess
      expect(time.sleeps).toEqual([5_000]);
      expect(api.requests).toHaveLength(6);
    });

    it('cannot post to a channel when none is configured or given', async () => {
      // Act
      const attempt = sender({ channelId: undefined }).send(message(), NOW);

      // Assess
      await expect(attempt).rejects.toThrow('discord: no channel to post in (set platform.channelId)');
      expect(api.requests).toHaveLength(0);
    });
  });
});
