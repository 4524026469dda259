import { createHmac } from 'node:crypto';
import * as z from '../../domain/zod';
import { badRequest, unauthorized } from '../../runtime/errors';
import { canonicalEvents, expectShape, jsonBody, millisToIso, unixMillis } from '../parsing';
import { isFresh, safeEqual } from '../signature';
import type { AdapterContext, InboundRequest, ParsedRequest, PlatformAdapter } from '../types';

/**
 * DingTalk robot callbacks. Each request carries headers `timestamp` (ms) and
 * `sign = base64(HMAC-SHA256(appSecret, timestamp + "\n" + appSecret))`,
 * refused when more than an hour off. A robot receives only the messages that
 * @-mention it, so DingTalk gives Hearth commands and those messages, not the
 * group's whole conversation, nor joins or leaves. `msgId` is the dedupe key;
 * the member is `senderStaffId`, else `senderId`.
 */

export const DINGTALK_TOLERANCE_SECONDS = 60 * 60;

/** The `sign` header for a timestamp (ms). */
export function signDingTalk(appSecret: string, timestampMs: string): string {
  return createHmac('sha256', appSecret).update(`${timestampMs}\n${appSecret}`).digest('base64');
}

const callback = z.looseObject({
  msgId: z.string().check(z.minLength(1)),
  msgtype: z.string(),
  createAt: unixMillis,
  conversationId: z.string().check(z.minLength(1)),
  /** "1" a private chat with the robot, "2" a group. */
  conversationType: z.optional(z.string()),
  senderId: z.optional(z.string()),
  senderStaffId: z.optional(z.string()),
  senderNick: z.optional(z.string()),
  text: z.optional(z.looseObject({ content: z.string() })),
});

export const adapter: PlatformAdapter = {
  platform: 'dingtalk',
  acceptsGet: false,

  async verify(request: InboundRequest, { community, secrets, now }: AdapterContext): Promise<void> {
    if (community.platform.kind !== 'dingtalk') throw unauthorized('community is not on DingTalk', 'platform');
    const timestamp = request.headers.timestamp;
    const sign = request.headers.sign;
    if (!timestamp || !sign)
      throw unauthorized('timestamp or sign header is missing', timestamp ? 'sign' : 'timestamp');
    if (!/^\d{1,16}$/.test(timestamp) || !isFresh(Number(timestamp) / 1000, now, DINGTALK_TOLERANCE_SECONDS)) {
      throw unauthorized('timestamp is stale', 'timestamp');
    }
    const secret = await secrets.resolve(community.platform.appSecret);
    if (!safeEqual(sign, signDingTalk(secret, timestamp))) throw unauthorized('sign does not match', 'sign');
  },

  parse(request: InboundRequest, { now }: AdapterContext): ParsedRequest {
    const msg = expectShape(callback, jsonBody(request.rawBody));
    const memberId = msg.senderStaffId || msg.senderId;
    if (!memberId) throw badRequest('senderStaffId or senderId is required', 'senderId');
    const event = {
      id: msg.msgId,
      type: 'message.posted',
      occurredAt: millisToIso(msg.createAt),
      member: { id: memberId, ...(msg.senderNick ? { name: msg.senderNick } : {}) },
      channelId: msg.conversationId,
      ...(msg.msgtype === 'text' && msg.text ? { text: msg.text.content } : {}),
    };
    const fields = {
      id: 'msgId',
      occurredAt: 'createAt',
      'member.id': msg.senderStaffId ? 'senderStaffId' : 'senderId',
      'member.name': 'senderNick',
      channelId: 'conversationId',
      text: 'text.content',
    };
    return {
      events: canonicalEvents([{ event, fields }], now),
      // A private chat with the robot: the robot that posts for Hearth reaches only its group.
      ...(msg.conversationType === '1' ? { answers: { [msg.msgId]: { private: true } } } : {}),
    };
  },
};
