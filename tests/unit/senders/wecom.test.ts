import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ChatMessage, RetryLaterError, UndeliverableError } from '../../../shared/chat/sender';
import { type WecomConfig, WecomSender } from '../../../shared/platforms/wecom/outbound';
import { literalSecrets } from '../../../shared/runtime/secrets';
import { type FakePlatformApi, fakeTime, startWecomApi, wecomReplies } from '../../support/fake-platform-apis';

const ROBOT_KEY = '693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa';
const NOW = new Date('2026-11-25T10:00:00Z');

let api: FakePlatformApi;
beforeAll(async () => {
  api = await startWecomApi({
    robotKey: ROBOT_KEY,
    corpId: 'ww1234567890',
    corpSecret: 'app-secret',
    agentId: 1000002,
  });
});
afterAll(() => api.close());
beforeEach(() => api.reset());

const config = (overrides: Partial<WecomConfig> = {}): WecomConfig => ({
  kind: 'wecom',
  token: 'callback-token',
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  corpId: 'ww1234567890',
  robotKey: ROBOT_KEY,
  apiBaseUrl: api.baseUrl,
  ...overrides,
});

const message = (overrides: Partial<ChatMessage> = {}): ChatMessage => ({
  id: 'welcome#acme#zhangsan#2026-11-25',
  communityId: 'acme',
  platform: 'wecom',
  kind: 'welcome',
  memberId: 'zhangsan',
  delivery: 'channel',
  channel: null,
  text: '欢迎加入 Acme Makers！',
  memberName: '张三',
  mention: true,
  dmFallback: true,
  ...overrides,
});

function sender(overrides: Partial<WecomConfig> = {}, time = fakeTime()) {
  return new WecomSender(config(overrides), literalSecrets, { now: time.now, sleep: time.sleep });
}

describe('Class: WecomSender', () => {
  describe('Function: send', () => {
    it('posts a text through the group robot webhook with the member in mentioned_list', async () => {
      // Act
      const result = await sender().send(message(), NOW);

      // Assess
      expect(result).toBeUndefined();
      expect(api.requests).toHaveLength(1);
      const [request] = api.requests;
      expect(request.method).toBe('POST');
      expect(request.path).toBe('/cgi-bin/webhook/send');
      expect(request.query).toEqual({ key: ROBOT_KEY });
      expect(request.body).toEqual({
        msgtype: 'text',
        text: { content: '欢迎加入 Acme Makers！', mentioned_list: ['zhangsan'] },
      });
    });

    it('posts without mentioned_list when no mention is asked', async () => {
      // Act
      await sender().send(message({ mention: false }), NOW);

      // Assess
      expect(api.requests[0].body).toEqual({ msgtype: 'text', text: { content: '欢迎加入 Acme Makers！' } });
    });

    it('sends a DM to the robot group with a mention and records why', async () => {
      // Act
      const result = await sender().send(message({ delivery: 'dm', mention: false }), NOW);

      // Assess
      expect(result?.fallback).toBe(
        'wecom: a group robot cannot send DMs (set platform.agentId and corpSecret); posted in the robot group with a mention',
      );
      expect(api.requests[0].body.text.mentioned_list).toEqual(['zhangsan']);
    });

    it('parks a DM as undeliverable when fallback is off, without a request', async () => {
      // Act
      const attempt = sender().send(message({ delivery: 'dm', dmFallback: false }), NOW);

      // Assess
      await expect(attempt).rejects.toBeInstanceOf(UndeliverableError);
      await expect(attempt).rejects.toThrow(
        'wecom: a group robot cannot send DMs (set platform.agentId and corpSecret), and DM fallback is off',
      );
      expect(api.requests).toHaveLength(0);
    });

    it('cannot send anything without a robot key, and says so', async () => {
      // Act
      const attempt = sender({ robotKey: undefined }).send(message(), NOW);

      // Assess
      await expect(attempt).rejects.toBeInstanceOf(UndeliverableError);
      await expect(attempt).rejects.toThrow(
        'wecom: no group robot configured (set platform.robotKey to send messages)',
      );
      expect(api.requests).toHaveLength(0);
    });

    it('asks for a retry in a minute on errcode 45009 and holds later sends without asking again', async () => {
      // Prepare
      const time = fakeTime();
      const wecom = sender({}, time);
      api.script(wecomReplies.rateLimited());

      // Act
      const first = wecom.send(message(), NOW);
      await expect(first).rejects.toBeInstanceOf(RetryLaterError);
      const second = await wecom.send(message({ memberId: 'lisi' }), NOW).catch((e: unknown) => e);

      // Assess
      await expect(first).rejects.toMatchObject({ retryAt: new Date(time.now() + 60_000) });
      await expect(first).rejects.toThrow(
        'wecom: webhook/send rate limited (HTTP 200, code 45009: api freq out of limit)',
      );
      expect(second).toBeInstanceOf(RetryLaterError);
      expect(api.requests).toHaveLength(1);
    });

    it('retries errcode -1 (system busy), then sends', async () => {
      // Prepare
      const time = fakeTime();
      api.script(wecomReplies.busy());

      // Act
      await sender({}, time).send(message(), NOW);

      // Assess
      expect(api.requests).toHaveLength(2);
      expect(time.sleeps).toEqual([500]);
    });

    it('does not retry an invalid key, and keeps the key out of the error', async () => {
      // Prepare
      const wrong = 'ffffffff-0000-4bc4-97a0-000000000000';

      // Act
      const attempt = sender({ robotKey: wrong }).send(message(), NOW);

      // Assess
      await expect(attempt).rejects.toBeInstanceOf(UndeliverableError);
      await expect(attempt).rejects.toThrow('wecom: webhook/send refused (HTTP 200, code 93000: invalid webhook url');
      await attempt.catch((error: Error) => {
        expect(error.message).not.toContain(wrong);
        expect(error.message).not.toContain('key=');
      });
      expect(api.requests).toHaveLength(1);
    });

    it('paces to 20 messages a minute per robot: the 21st is rescheduled without a request', async () => {
      // Prepare
      const time = fakeTime();
      const wecom = sender({}, time);
      for (let i = 0; i < 20; i++) await wecom.send(message({ memberId: `m${i}` }), NOW);

      // Act
      const attempt = wecom.send(message({ memberId: 'm20' }), NOW);

      // Assess
      await expect(attempt).rejects.toMatchObject({ retryAt: new Date(time.now() + 60_000) });
      expect(api.requests).toHaveLength(20);
    });

    describe('DMs as app messages', () => {
      const asApp = { agentId: 1000002, corpSecret: 'app-secret' };

      it('sends a DM as an app message to the member, with a token from gettoken, cached', async () => {
        // Prepare
        const wecom = sender(asApp);

        // Act
        const first = await wecom.send(message({ delivery: 'dm', dmFallback: false }), NOW);
        await wecom.send(message({ id: 'reply#acme#zhangsan#k2', delivery: 'dm', dmFallback: false }), NOW);

        // Assess
        expect(first).toBeUndefined();
        expect(api.to('/cgi-bin/gettoken')).toHaveLength(1);
        expect(api.to('/cgi-bin/gettoken')[0].query).toEqual({ corpid: 'ww1234567890', corpsecret: 'app-secret' });
        const sends = api.to('/cgi-bin/message/send');
        expect(sends).toHaveLength(2);
        expect(sends[0].query.access_token).toMatch(/^wecom-token-\d+$/);
        expect(sends[1].query.access_token).toBe(sends[0].query.access_token);
        expect(sends[0].body).toEqual({
          touser: 'zhangsan',
          msgtype: 'text',
          agentid: 1000002,
          text: { content: '欢迎加入 Acme Makers！' },
        });
        expect(api.to('/cgi-bin/webhook/send')).toHaveLength(0);
      });

      it('fetches a new token once when WeCom says the cached one expired', async () => {
        // Prepare
        const wecom = sender(asApp);
        await wecom.send(message({ delivery: 'dm' }), NOW);
        api.script(wecomReplies.tokenExpired(), '/cgi-bin/message/send');

        // Act
        await wecom.send(message({ id: 'reply#acme#zhangsan#k3', delivery: 'dm' }), NOW);

        // Assess
        expect(api.to('/cgi-bin/gettoken')).toHaveLength(2);
        const tokens = api.to('/cgi-bin/message/send').map((r) => r.query.access_token);
        expect(tokens).toHaveLength(3);
        // The cached token was refused, a new one fetched, and the send tried again with it.
        expect(tokens[1]).toBe(tokens[0]);
        expect(tokens[2]).not.toBe(tokens[1]);
      });

      it('never puts the app secret or the token in an error', async () => {
        // Prepare
        const wecom = sender({ agentId: 1000002, corpSecret: 'wrong-secret' });

        // Act
        const error = await wecom.send(message({ delivery: 'dm' }), NOW).catch((e: Error) => e);

        // Assess
        expect(error).toBeInstanceOf(UndeliverableError);
        expect((error as Error).message).toContain('gettoken');
        expect((error as Error).message).not.toContain('wrong-secret');
      });
    });
  });
});
