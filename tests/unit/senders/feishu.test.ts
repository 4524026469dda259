import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ChatMessage, RetryLaterError, UndeliverableError } from '../../../shared/chat/sender';
import { type FeishuConfig, FeishuSender } from '../../../shared/platforms/feishu/outbound';
import { literalSecrets } from '../../../shared/runtime/secrets';
import {
  type FakePlatformApi,
  fakeTime,
  feishuReplies,
  mapSecrets,
  serverError,
  startFeishuApi,
} from '../../support/fake-platform-apis';

const APP_ID = 'cli_a1b2c3d4e5f6';
const APP_SECRET = 'dskLLdkasdjlasdKKsecret';
const CHAT = 'oc_5ad11d72b830411d72b836c20';
const NOW = new Date('2026-11-25T10:00:00Z');
const TOKEN_PATH = '/open-apis/auth/v3/tenant_access_token/internal';
const MESSAGES_PATH = '/open-apis/im/v1/messages';

let api: FakePlatformApi & { revokeTokens(): void };
beforeAll(async () => {
  api = await startFeishuApi({ appId: APP_ID, appSecret: APP_SECRET, unavailable: ['ou_outside'] });
});
afterAll(() => api.close());
beforeEach(() => api.reset());

const config = (overrides: Partial<FeishuConfig> = {}): FeishuConfig => ({
  kind: 'feishu',
  verificationToken: 'verify',
  appId: APP_ID,
  appSecret: APP_SECRET,
  chatId: CHAT,
  apiBaseUrl: api.baseUrl,
  ...overrides,
});

const message = (overrides: Partial<ChatMessage> = {}): ChatMessage => ({
  id: 'welcome#acme#ou_7d8a6e6df7621556ce0d21922b676706ccs#2026-11-25',
  communityId: 'acme',
  platform: 'feishu',
  kind: 'welcome',
  memberId: 'ou_7d8a6e6df7621556ce0d21922b676706ccs',
  delivery: 'channel',
  channel: null,
  text: 'Welcome to Acme Makers!',
  memberName: 'Tom',
  mention: false,
  dmFallback: true,
  ...overrides,
});

function sender(overrides: Partial<FeishuConfig> = {}, time = fakeTime()) {
  return new FeishuSender(config(overrides), literalSecrets, { now: time.now, sleep: time.sleep });
}

describe('Class: FeishuSender', () => {
  describe('Function: send', () => {
    it('gets a tenant_access_token, then posts a text to the group chat with it', async () => {
      // Act
      const result = await sender().send(message(), NOW);

      // Assess
      expect(result).toBeUndefined();
      expect(api.requests.map((r) => r.path)).toEqual([TOKEN_PATH, MESSAGES_PATH]);
      const [token, send] = api.requests;
      expect(token.method).toBe('POST');
      expect(token.body).toEqual({ app_id: APP_ID, app_secret: APP_SECRET });
      expect(send.method).toBe('POST');
      expect(send.query).toEqual({ receive_id_type: 'chat_id' });
      expect(send.headers.authorization).toMatch(/^Bearer t-g\d+fake$/);
      expect(send.body).toEqual({
        receive_id: CHAT,
        msg_type: 'text',
        content: JSON.stringify({ text: 'Welcome to Acme Makers!' }),
        uuid: expect.stringMatching(/^[0-9a-f]{50}$/),
      });
    });

    it('mentions the member with an <at> tag in the text', async () => {
      // Act
      await sender().send(message({ mention: true }), NOW);

      // Assess
      expect(JSON.parse(api.to('/im/v1/messages')[0].body.content)).toEqual({
        text: '<at user_id="ou_7d8a6e6df7621556ce0d21922b676706ccs">Tom</at> Welcome to Acme Makers!',
      });
    });

    it('keeps the token until shortly before it expires, then gets a new one', async () => {
      // Prepare
      const time = fakeTime();
      const feishu = sender({}, time);

      // Act
      await feishu.send(message(), NOW);
      time.advance(60 * 60_000);
      await feishu.send(message({ memberId: 'ou_2' }), NOW);
      time.advance(56 * 60_000);
      await feishu.send(message({ memberId: 'ou_3' }), NOW);

      // Assess: 7200 s tokens are refreshed 5 minutes early, so the third send (at 116 min) needs a new one
      expect(api.to(TOKEN_PATH)).toHaveLength(2);
      const [first, second, third] = api.to(MESSAGES_PATH).map((r) => r.headers.authorization);
      expect(second).toBe(first);
      expect(third).not.toBe(first);
    });

    it('gets a new token and tries once more when Feishu says the token is invalid', async () => {
      // Prepare
      const feishu = sender();
      await feishu.send(message(), NOW);
      api.revokeTokens();
      api.reset();

      // Act
      await feishu.send(message({ memberId: 'ou_2' }), NOW);

      // Assess
      expect(api.requests.map((r) => r.path)).toEqual([MESSAGES_PATH, TOKEN_PATH, MESSAGES_PATH]);
    });

    it('sends a DM to the open_id', async () => {
      // Act
      await sender().send(message({ delivery: 'dm' }), NOW);

      // Assess
      const [send] = api.to(MESSAGES_PATH);
      expect(send.query).toEqual({ receive_id_type: 'open_id' });
      expect(send.body.receive_id).toBe('ou_7d8a6e6df7621556ce0d21922b676706ccs');
    });

    it('falls back to the group with an <at> when the member is outside the bot availability, and records why', async () => {
      // Act
      const result = await sender().send(message({ memberId: 'ou_outside', delivery: 'dm' }), NOW);

      // Assess
      expect(result?.fallback).toBe('feishu DM refused (code 230013); posted in the group with a mention');
      const [dm, group] = api.to(MESSAGES_PATH);
      expect(dm.query.receive_id_type).toBe('open_id');
      expect(group.query.receive_id_type).toBe('chat_id');
      expect(group.body.receive_id).toBe(CHAT);
      expect(JSON.parse(group.body.content).text).toBe('<at user_id="ou_outside">Tom</at> Welcome to Acme Makers!');
      // A DM and its fallback are different posts: different idempotency keys.
      expect(group.body.uuid).not.toBe(dm.body.uuid);
    });

    it('parks a refused DM as undeliverable when fallback is off', async () => {
      // Act
      const attempt = sender().send(message({ memberId: 'ou_outside', delivery: 'dm', dmFallback: false }), NOW);

      // Assess
      await expect(attempt).rejects.toBeInstanceOf(UndeliverableError);
      await expect(attempt).rejects.toThrow(
        'feishu: im/v1/messages refused (HTTP 400, code 230013: Bot has NO availability to this user.)',
      );
    });

    it('waits x-ogw-ratelimit-reset on a 429, then posts the same message (same uuid)', async () => {
      // Prepare
      const time = fakeTime();
      api.script(feishuReplies.rateLimited(2), MESSAGES_PATH);

      // Act
      await sender({}, time).send(message(), NOW);

      // Assess
      expect(time.sleeps).toEqual([2_000]);
      const sends = api.to(MESSAGES_PATH);
      expect(sends).toHaveLength(2);
      expect(sends[1].body.uuid).toBe(sends[0].body.uuid);
    });

    it('retries a 5xx, then posts', async () => {
      // Prepare
      const time = fakeTime();
      api.script(serverError(500), MESSAGES_PATH);

      // Act
      await sender({}, time).send(message(), NOW);

      // Assess
      expect(api.to(MESSAGES_PATH)).toHaveLength(2);
    });

    it('does not retry a refusal such as 230002 (bot not in the group)', async () => {
      // Prepare
      api.script(feishuReplies.botNotInChat(), MESSAGES_PATH);

      // Act
      const attempt = sender().send(message(), NOW);

      // Assess
      await expect(attempt).rejects.toBeInstanceOf(UndeliverableError);
      expect(api.to(MESSAGES_PATH)).toHaveLength(1);
    });

    it('reports a wrong app secret without the secret', async () => {
      // Prepare
      const secrets = mapSecrets({ 'ssm:/hearth/acme/feishu-secret': 'not-the-app-secret' });
      const feishu = new FeishuSender(config({ appSecret: 'ssm:/hearth/acme/feishu-secret' }), secrets, fakeTime());

      // Act
      const attempt = feishu.send(message(), NOW);

      // Assess
      await expect(attempt).rejects.toThrow(
        'feishu: tenant_access_token refused (HTTP 400, code 10014: app secret invalid)',
      );
      await attempt.catch((error: Error) => expect(error.message).not.toContain('not-the-app-secret'));
      expect(secrets.resolved).toContain('ssm:/hearth/acme/feishu-secret');
      expect(api.to(MESSAGES_PATH)).toHaveLength(0);
    });

    it('paces a chat to 5 messages a second', async () => {
      // Prepare
      const time = fakeTime();
      const feishu = sender({}, time);

      // Act
      for (let i = 0; i < 6; i++) await feishu.send(message({ memberId: `ou_${i}` }), NOW);

      // Assess
      expect(time.sleeps).toEqual([1_000]);
      expect(api.to(MESSAGES_PATH)).toHaveLength(6);
    });

    it('rate limited for longer than the in-process wait: RetryLaterError with the time', async () => {
      // Prepare
      const time = fakeTime();
      api.script(feishuReplies.rateLimited(52), MESSAGES_PATH);

      // Act
      const attempt = sender({}, time).send(message(), NOW);

      // Assess
      await expect(attempt).rejects.toBeInstanceOf(RetryLaterError);
      await expect(attempt).rejects.toMatchObject({ retryAt: new Date(time.now() + 52_000) });
    });

    it('cannot post in a group when none is configured or given', async () => {
      // Act
      const attempt = sender({ chatId: undefined }).send(message(), NOW);

      // Assess
      await expect(attempt).rejects.toThrow('feishu: no group chat to post in (set platform.chatId)');
      expect(api.requests).toHaveLength(0);
    });
  });
});
