import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ChatMessage, RetryLaterError, UndeliverableError } from '../../../shared/chat/sender';
import { type TelegramConfig, TelegramSender, withMention } from '../../../shared/platforms/telegram/outbound';
import { literalSecrets } from '../../../shared/runtime/secrets';
import {
  type FakePlatformApi,
  fakeTime,
  serverError,
  startTelegramApi,
  telegramReplies,
} from '../../support/fake-platform-apis';

const BOT_TOKEN = '7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
const GROUP = '-1001234567890';
const NOW = new Date('2026-11-25T10:00:00Z');

let api: FakePlatformApi;
beforeAll(async () => {
  api = await startTelegramApi({ botToken: BOT_TOKEN, unstarted: ['222'], blocked: ['333'] });
});
afterAll(() => api.close());
beforeEach(() => api.reset());

const config = (overrides: Partial<TelegramConfig> = {}): TelegramConfig => ({
  kind: 'telegram',
  secretToken: 'secret-token',
  botToken: BOT_TOKEN,
  chatId: GROUP,
  joins: 'chat_member',
  apiBaseUrl: api.baseUrl,
  ...overrides,
});

const message = (overrides: Partial<ChatMessage> = {}): ChatMessage => ({
  id: 'welcome#makers-tg#111#2026-11-25',
  communityId: 'makers-tg',
  platform: 'telegram',
  kind: 'welcome',
  memberId: '111',
  delivery: 'channel',
  channel: null,
  text: 'Welcome, Ada!',
  memberName: 'Ada',
  mention: false,
  dmFallback: true,
  ...overrides,
});

function sender(overrides: Partial<TelegramConfig> = {}, time = fakeTime()) {
  return new TelegramSender(config(overrides), literalSecrets, { now: time.now, sleep: time.sleep });
}

describe('Class: TelegramSender', () => {
  describe('Function: send', () => {
    it('posts sendMessage to the group at /bot<token>/sendMessage', async () => {
      // Act
      const result = await sender().send(message(), NOW);

      // Assess: the post named as a reply names it (`<chat>:<message_id>`, inbound.ts).
      expect(result).toEqual({
        posted: { messageId: expect.stringMatching(new RegExp(`^${GROUP}:\\d+$`)), channel: GROUP },
      });
      expect(api.requests).toHaveLength(1);
      const [request] = api.requests;
      expect(request.method).toBe('POST');
      expect(request.path).toBe(`/bot${BOT_TOKEN}/sendMessage`);
      expect(request.body).toEqual({ chat_id: GROUP, text: 'Welcome, Ada!' });
    });

    it('mentions the member with a text_mention entity over their name', async () => {
      // Act
      await sender().send(message({ mention: true, text: '🎉 Welcome, Ada!' }), NOW);

      // Assess: the emoji is two UTF-16 code units and " Welcome, " ten, so "Ada" starts at 12
      expect(api.requests[0].body).toEqual({
        chat_id: GROUP,
        text: '🎉 Welcome, Ada!',
        entities: [
          { type: 'text_mention', offset: 12, length: 3, user: { id: 111, is_bot: false, first_name: 'Ada' } },
        ],
      });
    });

    it('sends a DM to the member id', async () => {
      // Act
      await sender().send(message({ delivery: 'dm' }), NOW);

      // Assess
      expect(api.requests.map((r) => r.body)).toEqual([{ chat_id: '111', text: 'Welcome, Ada!' }]);
    });

    it('falls back to the group with a mention when the bot may not start the conversation, and records why', async () => {
      // Act
      const result = await sender().send(message({ memberId: '222', memberName: 'Bo', delivery: 'dm' }), NOW);

      // Assess
      expect(result?.fallback).toBe(
        "telegram DM refused (Forbidden: bot can't initiate conversation with a user); posted in the group with a mention",
      );
      expect(api.requests.map((r) => r.body)).toEqual([
        { chat_id: '222', text: 'Welcome, Ada!' },
        {
          chat_id: GROUP,
          text: 'Bo Welcome, Ada!',
          entities: [
            { type: 'text_mention', offset: 0, length: 2, user: { id: 222, is_bot: false, first_name: 'Bo' } },
          ],
        },
      ]);
    });

    it('falls back when Telegram does not know the chat (a user who never wrote to the bot)', async () => {
      // Prepare
      api.script(telegramReplies.chatNotFound());

      // Act
      const result = await sender().send(message({ delivery: 'dm' }), NOW);

      // Assess
      expect(result?.fallback).toContain('chat not found');
      expect(api.requests.map((r) => r.body.chat_id)).toEqual(['111', GROUP]);
    });

    it('parks a DM to a user who blocked the bot as undeliverable when fallback is off, after one request', async () => {
      // Act
      const attempt = sender().send(message({ memberId: '333', delivery: 'dm', dmFallback: false }), NOW);

      // Assess
      await expect(attempt).rejects.toBeInstanceOf(UndeliverableError);
      await expect(attempt).rejects.toThrow(
        'telegram: sendMessage refused (HTTP 403, code 403: Forbidden: bot was blocked by the user)',
      );
      expect(api.requests).toHaveLength(1);
    });

    it('waits parameters.retry_after on a 429, then sends', async () => {
      // Prepare
      const time = fakeTime();
      api.script(telegramReplies.rateLimited(2));

      // Act
      await sender({}, time).send(message(), NOW);

      // Assess
      expect(time.sleeps).toEqual([2_000]);
      expect(api.requests).toHaveLength(2);
    });

    it('asks the dispatcher to retry at the given time when retry_after is long', async () => {
      // Prepare
      const time = fakeTime();
      api.script(telegramReplies.rateLimited(35));

      // Act
      const attempt = sender({}, time).send(message(), NOW);

      // Assess
      await expect(attempt).rejects.toBeInstanceOf(RetryLaterError);
      await expect(attempt).rejects.toMatchObject({ retryAt: new Date(time.now() + 35_000) });
      expect(api.requests).toHaveLength(1);
    });

    it('retries a 5xx, then sends', async () => {
      // Prepare
      const time = fakeTime();
      api.script(serverError(502));

      // Act
      await sender({}, time).send(message(), NOW);

      // Assess
      expect(api.requests).toHaveLength(2);
      expect(time.sleeps).toEqual([500]);
    });

    it('never puts the bot token (which is in the URL path) in an error', async () => {
      // Prepare
      const wrong = '7012345678:AAwrongwrongwrongwrongwrongwrongwr';

      // Act
      const attempt = sender({ botToken: wrong }).send(message(), NOW);

      // Assess
      await expect(attempt).rejects.toThrow('telegram: sendMessage refused (HTTP 401, code 401: Unauthorized)');
      await attempt.catch((error: Error) => {
        expect(error.message).not.toContain(wrong);
        expect(error.message).not.toContain('/bot');
      });
    });

    it('paces messages to one chat a second apart and to 20 a minute per group', async () => {
      // Prepare
      const time = fakeTime();
      const telegram = sender({}, time);

      // Act
      for (let i = 0; i < 20; i++) await telegram.send(message({ text: `message ${i}` }), NOW);
      const twentyFirst = telegram.send(message({ text: 'message 20' }), NOW);

      // Assess: 19 one-second waits; the 21st would wait until the first leaves the minute
      expect(time.sleeps).toEqual(Array(19).fill(1_000));
      await expect(twentyFirst).rejects.toBeInstanceOf(RetryLaterError);
      await expect(twentyFirst).rejects.toThrow('telegram: paced (20 messages a minute per group), may send in 41 s');
      expect(api.requests).toHaveLength(20);
    });

    it('cannot post in a group when none is configured or given', async () => {
      // Act
      const attempt = sender({ chatId: undefined }).send(message(), NOW);

      // Assess
      await expect(attempt).rejects.toThrow('telegram: no chat to post in (set platform.chatId)');
      expect(api.requests).toHaveLength(0);
    });
  });

  describe('Function: inviteLink', () => {
    it('makes a link to the group named after the code with createChatInviteLink', async () => {
      // Act
      const link = await sender().inviteLink('K7M2P9QX');

      // Assess
      expect(link).toMatch(/^https:\/\/t\.me\/\+fake\d+$/);
      expect(api.requests.map((r) => [r.path, r.body])).toEqual([
        [`/bot${BOT_TOKEN}/createChatInviteLink`, { chat_id: GROUP, name: 'K7M2P9QX' }],
      ]);
    });

    it('makes none without a group to invite to', async () => {
      // Act
      const link = await sender({ chatId: undefined }).inviteLink('K7M2P9QX');

      // Assess
      expect(link).toBeUndefined();
      expect(api.requests).toHaveLength(0);
    });
  });

  describe('Function: withMention', () => {
    it('prefixes the name when the text does not contain it', () => {
      // Act
      const out = withMention('Happy birthday! 🎂', { id: '42', name: 'Zoë' });

      // Assess
      expect(out.text).toBe('Zoë Happy birthday! 🎂');
      expect(out.entities).toEqual([
        { type: 'text_mention', offset: 0, length: 3, user: { id: 42, is_bot: false, first_name: 'Zoë' } },
      ]);
    });

    it('counts offsets in UTF-16 code units past astral characters', () => {
      // Act
      const out = withMention('👋👋 hi 𝒜da', { id: '7', name: '𝒜da' });

      // Assess: each emoji and 𝒜 are surrogate pairs
      expect(out.entities?.[0]).toMatchObject({ offset: 8, length: 4 });
    });
  });
});
