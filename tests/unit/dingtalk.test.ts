import { describe, expect, it } from 'vitest';
import { adapter as dingtalkAdapter, signDingTalk } from '../../shared/platforms/dingtalk/inbound';
import type { AdapterContext, InboundRequest } from '../../shared/platforms/types';
import { HearthError } from '../../shared/runtime/errors';
import { literalSecrets } from '../../shared/runtime/secrets';
import { communityConfig } from '../support/fixtures';

const APP_SECRET = 'SEC1a2b3c4d5e6f';
const NOW = new Date('2026-11-25T10:00:00Z');
const community = communityConfig({ id: 'makers-ding', platform: { kind: 'dingtalk', appSecret: APP_SECRET } });
const context: AdapterContext = { community, secrets: literalSecrets, now: NOW };

/** A robot callback as DingTalk sends it when a member @-mentions the robot. */
const mention = (fields: Record<string, unknown> = {}) => ({
  conversationId: 'cidAbC123==',
  atUsers: [{ dingtalkId: '$:LWCP_v1:$robot' }],
  chatbotUserId: '$:LWCP_v1:$robot',
  msgId: 'msgXyZ0001',
  senderNick: '张三',
  isAdmin: false,
  senderStaffId: 'manager4321',
  sessionWebhookExpiredTime: NOW.getTime() + 5_400_000,
  createAt: NOW.getTime() - 2_000,
  conversationType: '2',
  senderId: '$:LWCP_v1:$zhangsan',
  conversationTitle: '创客群',
  isInAtList: true,
  sessionWebhook: 'https://oapi.dingtalk.com/robot/sendBySession?session=abc',
  text: { content: ' /points' },
  msgtype: 'text',
  ...fields,
});

function request(body: unknown, options: { timestamp?: string; secret?: string; sign?: string } = {}): InboundRequest {
  const timestamp = options.timestamp ?? String(NOW.getTime() - 1_000);
  return {
    method: 'POST',
    query: {},
    rawBody: JSON.stringify(body),
    headers: {
      'content-type': 'application/json',
      timestamp,
      sign: options.sign ?? signDingTalk(options.secret ?? APP_SECRET, timestamp),
    },
  };
}

describe('Object: dingtalkAdapter', () => {
  describe('Function: verify', () => {
    it('accepts a sign made with the app secret within an hour', async () => {
      await expect(dingtalkAdapter.verify(request(mention()), context)).resolves.toBeUndefined();
      await expect(
        dingtalkAdapter.verify(request(mention(), { timestamp: String(NOW.getTime() - 3_599_000) }), context),
      ).resolves.toBeUndefined();
    });

    it.each([
      ['a wrong secret', { secret: 'SECwrong' }, 'does not match'],
      ['a timestamp over an hour old', { timestamp: String(NOW.getTime() - 3_601_000) }, 'stale'],
      ['a sign that is not base64 of the HMAC', { sign: 'abc' }, 'does not match'],
    ])('refuses %s with 401', async (_what, options, message) => {
      // Act
      const error = await dingtalkAdapter.verify(request(mention(), options), context).catch((e) => e);

      // Assess
      expect(error).toBeInstanceOf(HearthError);
      expect((error as HearthError).statusCode).toBe(401);
      expect((error as HearthError).message).toContain(message);
    });
  });

  describe('Function: parse', () => {
    it('turns a mention into message.posted by senderStaffId, keyed by msgId at createAt, text kept for commands', () => {
      // Act
      const { events } = dingtalkAdapter.parse(request(mention()), context);

      // Assess
      expect(events).toEqual([
        {
          id: 'msgXyZ0001',
          type: 'message.posted',
          occurredAt: new Date(NOW.getTime() - 2_000).toISOString(),
          member: { id: 'manager4321', name: '张三' },
          channelId: 'cidAbC123==',
          text: ' /points',
        },
      ]);
    });

    it('asks for a private answer to a command from a private chat with the robot, and none in a group', () => {
      // Act
      const privately = dingtalkAdapter.parse(request(mention({ conversationType: '1' })), context);
      const inGroup = dingtalkAdapter.parse(request(mention()), context);

      // Assess
      expect(privately.answers).toEqual({ msgXyZ0001: { private: true } });
      expect(inGroup.answers).toBeUndefined();
    });

    it('falls back to senderId when there is no staff id (a member from outside the organisation)', () => {
      // Act
      const { events } = dingtalkAdapter.parse(request(mention({ senderStaffId: undefined })), context);

      // Assess
      expect(events[0].member.id).toBe('$:LWCP_v1:$zhangsan');
    });

    it('refuses a callback without msgId with 400 naming it', () => {
      // Act
      const error = (() => {
        try {
          dingtalkAdapter.parse(request(mention({ msgId: undefined })), context);
        } catch (e) {
          return e as HearthError;
        }
      })();

      // Assess
      expect(error?.statusCode).toBe(400);
      expect(error?.field).toBe('msgId');
    });
  });
});
