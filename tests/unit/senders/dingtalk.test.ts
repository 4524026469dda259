import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ChatMessage, RetryLaterError, UndeliverableError } from '../../../shared/chat/sender';
import { type DingtalkConfig, DingtalkSender } from '../../../shared/platforms/dingtalk/outbound';
import { literalSecrets } from '../../../shared/runtime/secrets';
import { dingtalkReplies, type FakePlatformApi, fakeTime, startDingtalkApi } from '../../support/fake-platform-apis';

const ROBOT_TOKEN = 'b0a1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1';
const SECRET = 'SECb1f2d3c4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2';
const NOW = new Date('2026-11-25T10:00:00Z');

let api: FakePlatformApi;
let clock = fakeTime();
beforeAll(async () => {
  api = await startDingtalkApi({ robotToken: ROBOT_TOKEN, secret: SECRET, now: () => clock.now() });
});
afterAll(() => api.close());
beforeEach(() => {
  api.reset();
  clock = fakeTime();
});

const config = (overrides: Partial<DingtalkConfig> = {}): DingtalkConfig => ({
  kind: 'dingtalk',
  appSecret: SECRET,
  robotToken: ROBOT_TOKEN,
  apiBaseUrl: api.baseUrl,
  ...overrides,
});

const message = (overrides: Partial<ChatMessage> = {}): ChatMessage => ({
  id: 'welcome#acme#manager4821#2026-11-25',
  communityId: 'acme',
  platform: 'dingtalk',
  kind: 'welcome',
  memberId: 'manager4821',
  delivery: 'channel',
  channel: null,
  text: '欢迎加入！',
  memberName: '李四',
  mention: true,
  dmFallback: true,
  ...overrides,
});

function sender(overrides: Partial<DingtalkConfig> = {}) {
  return new DingtalkSender(config(overrides), literalSecrets, { now: clock.now, sleep: clock.sleep });
}

describe('Class: DingtalkSender', () => {
  describe('Function: send', () => {
    it('posts a signed robot/send with the member @-mentioned in the text and in atUserIds', async () => {
      // Act
      const result = await sender().send(message(), NOW);

      // Assess
      expect(result).toBeUndefined();
      expect(api.requests).toHaveLength(1);
      const [request] = api.requests;
      expect(request.method).toBe('POST');
      expect(request.path).toBe('/robot/send');
      expect(request.query).toEqual({
        access_token: ROBOT_TOKEN,
        timestamp: String(clock.now()),
        sign: createHmac('sha256', SECRET).update(`${clock.now()}\n${SECRET}`).digest('base64'),
      });
      expect(request.body).toEqual({
        msgtype: 'text',
        text: { content: '@manager4821 欢迎加入！' },
        at: { atUserIds: ['manager4821'], isAtAll: false },
      });
    });

    it('posts without a mention when none is asked', async () => {
      // Act
      await sender().send(message({ mention: false }), NOW);

      // Assess
      expect(api.requests[0].body).toEqual({
        msgtype: 'text',
        text: { content: '欢迎加入！' },
        at: { atUserIds: [], isAtAll: false },
      });
    });

    it('sends a DM to the robot group with a mention and records why', async () => {
      // Act
      const result = await sender().send(message({ delivery: 'dm', mention: false }), NOW);

      // Assess
      expect(result?.fallback).toBe(
        'dingtalk: a group robot cannot send DMs; posted in the robot group with a mention',
      );
      expect(api.requests[0].body.at.atUserIds).toEqual(['manager4821']);
    });

    it('parks a DM as undeliverable when fallback is off, and anything without a robot token', async () => {
      // Act
      const dm = await sender()
        .send(message({ delivery: 'dm', dmFallback: false }), NOW)
        .catch((e: unknown) => e);
      const noRobot = await sender({ robotToken: undefined })
        .send(message(), NOW)
        .catch((e: unknown) => e);

      // Assess
      expect(dm).toBeInstanceOf(UndeliverableError);
      expect(noRobot).toBeInstanceOf(UndeliverableError);
      expect((noRobot as Error).message).toBe(
        'dingtalk: no group robot configured (set platform.robotToken to send messages)',
      );
      expect(api.requests).toHaveLength(0);
    });

    it('reschedules for 10 minutes on 130101 "send too fast" and holds later sends without a request', async () => {
      // Prepare
      const dingtalk = sender();
      api.script(dingtalkReplies.tooFast());

      // Act
      const first = dingtalk.send(message(), NOW);
      await expect(first).rejects.toBeInstanceOf(RetryLaterError);
      const second = await dingtalk.send(message({ memberId: 'other' }), NOW).catch((e: unknown) => e);

      // Assess
      await expect(first).rejects.toMatchObject({ retryAt: new Date(clock.now() + 600_000) });
      await expect(first).rejects.toThrow(
        'dingtalk: robot/send rate limited (HTTP 200, code 130101: send too fast, exceed 20 times per minute)',
      );
      expect(second).toBeInstanceOf(RetryLaterError);
      expect(api.requests).toHaveLength(1);
    });

    it('retries errcode -1 (system busy), then sends', async () => {
      // Prepare
      api.script(dingtalkReplies.busy());

      // Act
      await sender().send(message(), NOW);

      // Assess
      expect(api.requests).toHaveLength(2);
      expect(clock.sleeps).toEqual([500]);
    });

    it('does not retry a bad signature, and keeps the token and secret out of the error', async () => {
      // Prepare
      const wrong = 'SECwrongwrongwrongwrongwrongwrongwrong';

      // Act
      const attempt = sender({ appSecret: wrong }).send(message(), NOW);

      // Assess
      await expect(attempt).rejects.toBeInstanceOf(UndeliverableError);
      await expect(attempt).rejects.toThrow('dingtalk: robot/send refused (HTTP 200, code 310000: sign not match');
      await attempt.catch((error: Error) => {
        expect(error.message).not.toContain(ROBOT_TOKEN);
        expect(error.message).not.toContain(wrong);
        expect(error.message).not.toContain('access_token');
      });
      expect(api.requests).toHaveLength(1);
    });

    it('paces to 20 messages a minute per robot', async () => {
      // Prepare
      const dingtalk = sender();
      for (let i = 0; i < 20; i++) await dingtalk.send(message({ memberId: `m${i}` }), NOW);

      // Act
      const attempt = dingtalk.send(message({ memberId: 'm20' }), NOW);

      // Assess
      await expect(attempt).rejects.toThrow('dingtalk: paced (20 messages a minute per robot), may send in 60 s');
      expect(api.requests).toHaveLength(20);
    });
  });
});
