import { describe, expect, it } from 'vitest';
import { TELEGRAM_SECRET_HEADER, adapter as telegramAdapter } from '../../shared/platforms/telegram/inbound';
import type { AdapterContext, InboundRequest } from '../../shared/platforms/types';
import { HearthError } from '../../shared/runtime/errors';
import { literalSecrets } from '../../shared/runtime/secrets';
import { communityConfig } from '../support/fixtures';

const SECRET_TOKEN = 'tg-secret_token-123';
const GROUP = -1001234567890;
const NOW = new Date('2026-11-25T10:00:00Z');
const DATE = Math.floor(NOW.getTime() / 1000) - 5;
const group = communityConfig({
  id: 'makers-tg',
  platform: { kind: 'telegram', secretToken: SECRET_TOKEN, botToken: '123:ABC', chatId: String(GROUP) },
});
const serviceJoins = communityConfig({
  id: 'makers-tg-small',
  platform: { kind: 'telegram', secretToken: SECRET_TOKEN, botToken: '123:ABC', joins: 'service_message' },
});
const context = (community = group): AdapterContext => ({ community, secrets: literalSecrets, now: NOW });

const request = (body: unknown, token: string | null = SECRET_TOKEN): InboundRequest => ({
  method: 'POST',
  query: {},
  rawBody: JSON.stringify(body),
  headers: { 'content-type': 'application/json', ...(token ? { [TELEGRAM_SECRET_HEADER]: token } : {}) },
});

const ada = { id: 111, is_bot: false, first_name: 'Ada', last_name: 'Lovelace', username: 'ada', language_code: 'en' };
const bo = { id: 222, is_bot: false, first_name: 'Bo' };
const chat = { id: GROUP, title: 'Makers', type: 'supergroup' };
const parse = (body: unknown, community = group) => telegramAdapter.parse(request(body), context(community)).events;

describe('Object: telegramAdapter', () => {
  describe('Function: verify', () => {
    it('accepts the secret token given to setWebhook', async () => {
      await expect(telegramAdapter.verify(request({ update_id: 1 }), context())).resolves.toBeUndefined();
    });

    it.each([
      ['a missing token', null, 'missing'],
      ['a wrong token', 'tg-secret_token-124', 'does not match'],
      ['a token of another length', 'short', 'does not match'],
    ])('refuses %s with 401', async (_what, token, message) => {
      // Act
      const error = await telegramAdapter.verify(request({ update_id: 1 }, token), context()).catch((e) => e);

      // Assess
      expect(error).toBeInstanceOf(HearthError);
      expect((error as HearthError).statusCode).toBe(401);
      expect((error as HearthError).message).toContain(message);
    });
  });

  describe('Function: parse', () => {
    it('turns a chat_member join through an invite link into member.joined with the link as referral code', () => {
      // Act
      const events = parse({
        update_id: 900001,
        chat_member: {
          chat,
          from: ada,
          date: DATE,
          old_chat_member: { status: 'left', user: ada },
          new_chat_member: { status: 'member', user: ada },
          invite_link: {
            invite_link: 'https://t.me/+AbCdEf',
            name: 'ref-bo',
            creator: bo,
            creates_join_request: false,
          },
        },
      });

      // Assess
      expect(events).toEqual([
        {
          id: '900001',
          type: 'member.joined',
          occurredAt: new Date(DATE * 1000).toISOString(),
          member: { id: '111', name: 'Ada Lovelace', isBot: false, locale: 'en' },
          referralCode: 'ref-bo',
        },
      ]);
    });

    it('turns a chat_member exit (left or kicked) into member.left, and a promotion into nothing', () => {
      const change = (from: string, to: string, id: number) => ({
        update_id: id,
        chat_member: {
          chat,
          from: ada,
          date: DATE,
          old_chat_member: { status: from, user: ada },
          new_chat_member: { status: to, user: ada },
        },
      });
      expect(parse(change('member', 'left', 2))).toEqual([expect.objectContaining({ type: 'member.left' })]);
      expect(parse(change('member', 'kicked', 3))).toEqual([expect.objectContaining({ type: 'member.left' })]);
      expect(parse(change('member', 'administrator', 4))).toEqual([]);
    });

    it('turns a message into message.posted, a reply into a reply to its author, and keeps the text for commands', () => {
      // Act
      const plain = parse({ update_id: 10, message: { message_id: 1, date: DATE, chat, from: ada, text: 'hello' } });
      const reply = parse({
        update_id: 11,
        message: {
          message_id: 2,
          date: DATE,
          chat,
          from: bo,
          text: '/points@HearthBot',
          reply_to_message: { message_id: 1, date: DATE, chat, from: ada, text: 'hello' },
        },
      });

      // Assess
      expect(plain).toEqual([
        expect.objectContaining({ id: '10', type: 'message.posted', channelId: String(GROUP), text: 'hello' }),
      ]);
      expect(plain[0]).not.toHaveProperty('replyTo');
      expect(reply).toEqual([
        expect.objectContaining({
          member: { id: '222', name: 'Bo', isBot: false },
          replyTo: '111',
          replyToMessage: `${GROUP}:1`,
        }),
      ]);
    });

    it('does not take the first message of a forum topic for a member replied to', () => {
      // Act
      const events = parse({
        update_id: 12,
        message: {
          message_id: 50,
          message_thread_id: 40,
          is_topic_message: true,
          date: DATE,
          chat,
          from: bo,
          text: 'in the topic',
          reply_to_message: { message_id: 40, date: DATE, chat, from: ada },
        },
      });

      // Assess
      expect(events[0]).not.toHaveProperty('replyTo');
    });

    it('uses service messages for joins and leaves only when the community says so', () => {
      // Prepare
      const joined = {
        update_id: 20,
        message: { message_id: 3, date: DATE, chat, from: ada, new_chat_members: [ada, bo] },
      };
      const left = { update_id: 21, message: { message_id: 4, date: DATE, chat, from: bo, left_chat_member: bo } };

      // Act / Assess
      expect(parse(joined, serviceJoins).map((e) => [e.id, e.type, e.member.id])).toEqual([
        ['20:111', 'member.joined', '111'],
        ['20:222', 'member.joined', '222'],
      ]);
      expect(parse(left, serviceJoins)).toEqual([
        expect.objectContaining({ type: 'member.left', member: { id: '222', name: 'Bo', isBot: false } }),
      ]);
      expect(parse(joined)).toEqual([]);
      expect(parse(left)).toEqual([]);
    });

    it('takes a command sent in a private chat, answered there, though the community is one group', () => {
      // Prepare
      const dm = { id: ada.id, first_name: 'Ada', username: 'ada', type: 'private' };
      const command = (update_id: number, text: string) => ({
        update_id,
        message: { message_id: 7, date: DATE, chat: dm, from: ada, text },
      });

      // Act
      const optout = parse(command(40, '/optout'));
      const start = parse(command(41, '/start'));

      // Assess
      expect(optout).toEqual([
        {
          id: '40',
          type: 'message.posted',
          occurredAt: new Date(DATE * 1000).toISOString(),
          member: { id: '111', name: 'Ada Lovelace', isBot: false, locale: 'en' },
          channelId: String(ada.id),
          text: '/optout',
        },
      ]);
      expect(start).toEqual([expect.objectContaining({ channelId: String(ada.id), text: '/start' })]);
    });

    it('leaves out private messages that are not commands, and commands in other groups', () => {
      // Prepare
      const dm = { id: ada.id, first_name: 'Ada', type: 'private' };
      const other = { id: -42, title: 'Elsewhere', type: 'group' };
      const posted = (update_id: number, chatOf: object, text: string) => ({
        update_id,
        message: { message_id: 8, date: DATE, chat: chatOf, from: ada, text },
      });

      // Act / Assess
      expect(parse(posted(50, dm, 'hi Hearth, how do I opt out?'))).toEqual([]);
      expect(parse(posted(51, dm, 'see /optout'))).toEqual([]);
      expect(parse(posted(52, other, '/optout'))).toEqual([]);
      // A private chat is the member's own: one whose id is not the sender's is not taken.
      expect(parse(posted(53, { id: bo.id, type: 'private' }, '/optout'))).toEqual([]);
    });

    it('ignores other chats than the community, edits and updates Hearth does not use', () => {
      expect(
        parse({
          update_id: 30,
          message: { message_id: 5, date: DATE, chat: { id: -42, type: 'group' }, from: ada, text: 'hi' },
        }),
      ).toEqual([]);
      expect(
        parse({ update_id: 31, edited_message: { message_id: 1, date: DATE, chat, from: ada, text: 'hello!' } }),
      ).toEqual([]);
      expect(parse({ update_id: 32, message_reaction: { chat, message_id: 1, user: bo, date: DATE } })).toEqual([]);
    });

    it('refuses an update without an update_id with 400 naming it', () => {
      // Act
      const error = (() => {
        try {
          parse({ message: { message_id: 1, date: DATE, chat, from: ada, text: 'x' } });
        } catch (e) {
          return e as HearthError;
        }
      })();

      // Assess
      expect(error?.statusCode).toBe(400);
      expect(error?.field).toBe('update_id');
    });
  });
});
