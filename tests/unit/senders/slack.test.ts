import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../../shared/chat/sender';
import { RetryLaterError, UndeliverableError } from '../../../shared/chat/sender';
import { type SlackConfig, SlackSender } from '../../../shared/platforms/slack/outbound';
import { literalSecrets } from '../../../shared/runtime/secrets';
import {
  type FakePlatformApi,
  fakeTime,
  mapSecrets,
  serverError,
  slackReplies,
  startSlackApi,
} from '../../support/fake-platform-apis';

const BOT_TOKEN = 'xoxb-1234-5678-secretsecret';
const NOW = new Date('2026-11-25T10:00:00Z');

let api: FakePlatformApi;
beforeAll(async () => {
  api = await startSlackApi({ botToken: BOT_TOKEN, channels: ['C0GENERAL', 'C0INTRO'], dmClosed: ['U0BOT'] });
});
afterAll(() => api.close());
beforeEach(() => api.reset());

const config = (overrides: Partial<SlackConfig> = {}): SlackConfig => ({
  kind: 'slack',
  signingSecret: 'signing',
  botToken: BOT_TOKEN,
  channel: 'C0GENERAL',
  apiBaseUrl: api.baseUrl,
  ...overrides,
});

const message = (overrides: Partial<ChatMessage> = {}): ChatMessage => ({
  id: 'welcome#makers#U0ADA#2026-11-25',
  communityId: 'makers',
  platform: 'slack',
  kind: 'welcome',
  memberId: 'U0ADA',
  delivery: 'channel',
  channel: null,
  text: 'Welcome to Makers, Ada!',
  memberName: 'Ada',
  mention: true,
  dmFallback: true,
  ...overrides,
});

function sender(overrides: Partial<SlackConfig> = {}, time = fakeTime()) {
  return new SlackSender(config(overrides), literalSecrets, { now: time.now, sleep: time.sleep });
}

describe('Class: SlackSender', () => {
  describe('Function: send', () => {
    it('posts chat.postMessage to the configured channel with the bot token and a mention', async () => {
      // Act
      const result = await sender().send(message(), NOW);

      // Assess: the post named as a thread reply and a reaction name it (`<channel>:<ts>`, inbound.ts).
      expect(result).toEqual({
        posted: { messageId: expect.stringMatching(/^C0GENERAL:\d+\.\d{6}$/), channel: 'C0GENERAL' },
      });
      expect(api.requests).toHaveLength(1);
      const [request] = api.requests;
      expect(request.method).toBe('POST');
      expect(request.path).toBe('/api/chat.postMessage');
      expect(request.headers.authorization).toBe(`Bearer ${BOT_TOKEN}`);
      expect(request.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(request.body).toEqual({ channel: 'C0GENERAL', text: '<@U0ADA> Welcome to Makers, Ada!' });
    });

    it("posts to the message's own channel, without a mention when none is asked", async () => {
      // Act
      await sender().send(message({ channel: 'C0INTRO', mention: false }), NOW);

      // Assess
      expect(api.requests.map((r) => r.body)).toEqual([{ channel: 'C0INTRO', text: 'Welcome to Makers, Ada!' }]);
    });

    it('opens the DM with conversations.open, posts there, and reuses the DM channel next time', async () => {
      // Prepare
      const slack = sender();

      // Act
      await slack.send(message({ delivery: 'dm', mention: false }), NOW);
      await slack.send(message({ delivery: 'dm', mention: false, text: 'Day two tip' }), NOW);

      // Assess
      expect(api.requests.map((r) => [r.path, r.body])).toEqual([
        ['/api/conversations.open', { users: 'U0ADA' }],
        ['/api/chat.postMessage', { channel: 'DU0ADA', text: 'Welcome to Makers, Ada!' }],
        ['/api/chat.postMessage', { channel: 'DU0ADA', text: 'Day two tip' }],
      ]);
    });

    it('falls back to the channel with a mention when the DM is refused, and records why', async () => {
      // Act
      const result = await sender().send(message({ memberId: 'U0BOT', delivery: 'dm', mention: false }), NOW);

      // Assess
      expect(result?.fallback).toBe('slack DM refused (cannot_dm_bot); posted in the channel with a mention');
      expect(api.requests.map((r) => [r.path, r.body])).toEqual([
        ['/api/conversations.open', { users: 'U0BOT' }],
        ['/api/chat.postMessage', { channel: 'C0GENERAL', text: '<@U0BOT> Welcome to Makers, Ada!' }],
      ]);
    });

    it('parks a refused DM as undeliverable when fallback is off', async () => {
      // Act
      const attempt = sender().send(message({ memberId: 'U0BOT', delivery: 'dm', dmFallback: false }), NOW);

      // Assess
      await expect(attempt).rejects.toBeInstanceOf(UndeliverableError);
      expect(api.requests).toHaveLength(1);
    });

    it('treats {ok:false, error:"channel_not_found"} as undeliverable after exactly one request', async () => {
      // Act
      const attempt = sender().send(message({ channel: 'C0GONE' }), NOW);

      // Assess
      await expect(attempt).rejects.toBeInstanceOf(UndeliverableError);
      await expect(attempt).rejects.toThrow('slack: chat.postMessage refused (HTTP 200, code channel_not_found)');
      expect(api.requests).toHaveLength(1);
    });

    it('honours Retry-After on a 429, then posts', async () => {
      // Prepare
      const time = fakeTime();
      api.script(slackReplies.rateLimited(3));

      // Act
      await sender({}, time).send(message(), NOW);

      // Assess
      expect(time.sleeps).toEqual([3_000]);
      expect(api.to('chat.postMessage')).toHaveLength(2);
    });

    it('treats an HTTP 200 "ratelimited" like a 429', async () => {
      // Prepare
      const time = fakeTime();
      api.script(slackReplies.error('ratelimited'));

      // Act
      await sender({}, time).send(message(), NOW);

      // Assess
      expect(time.sleeps).toEqual([1_000]);
      expect(api.requests).toHaveLength(2);
    });

    it('retries a 5xx and a transient Slack error, then posts', async () => {
      // Prepare
      const time = fakeTime();
      api.script([serverError(503), slackReplies.error('internal_error')]);

      // Act
      await sender({}, time).send(message(), NOW);

      // Assess
      expect(api.requests).toHaveLength(3);
      expect(time.sleeps).toEqual([500, 1_000]);
    });

    it('asks the dispatcher to come back later when a 429 asks for more than the in-process wait', async () => {
      // Prepare
      const time = fakeTime();
      api.script(slackReplies.rateLimited(45));

      // Act
      const attempt = sender({}, time).send(message(), NOW);

      // Assess
      await expect(attempt).rejects.toBeInstanceOf(RetryLaterError);
      await expect(attempt).rejects.toMatchObject({ retryAt: new Date(time.now() + 45_000) });
      expect(api.requests).toHaveLength(1);
    });

    it('paces a second message to the same channel by one second', async () => {
      // Prepare
      const time = fakeTime();
      const slack = sender({}, time);

      // Act
      await slack.send(message(), NOW);
      await slack.send(message({ channel: 'C0INTRO' }), NOW);
      await slack.send(message(), NOW);

      // Assess: C0INTRO went at once; the second C0GENERAL post waited
      expect(time.sleeps).toEqual([1_000]);
      expect(api.requests).toHaveLength(3);
    });

    it('resolves an ssm: bot token through the secret resolver', async () => {
      // Prepare
      const secrets = mapSecrets({ 'ssm:/hearth/makers/slack-bot': BOT_TOKEN });
      const slack = new SlackSender(config({ botToken: 'ssm:/hearth/makers/slack-bot' }), secrets, fakeTime());

      // Act
      await slack.send(message(), NOW);

      // Assess
      expect(secrets.resolved).toEqual(['ssm:/hearth/makers/slack-bot']);
      expect(api.requests[0].headers.authorization).toBe(`Bearer ${BOT_TOKEN}`);
    });

    it('reports a bad token without the token', async () => {
      // Prepare
      const slack = sender({ botToken: 'xoxb-wrong-token-value' });

      // Act
      const attempt = slack.send(message(), NOW);

      // Assess
      await expect(attempt).rejects.toThrow('slack: chat.postMessage refused (HTTP 200, code invalid_auth)');
      await attempt.catch((error: Error) => expect(error.message).not.toContain('xoxb-wrong-token-value'));
    });

    it('cannot post to a channel when none is configured or given', async () => {
      // Act
      const attempt = sender({ channel: undefined }).send(message(), NOW);

      // Assess
      await expect(attempt).rejects.toThrow('slack: no channel to post in (set platform.channel)');
      expect(api.requests).toHaveLength(0);
    });
  });
});
