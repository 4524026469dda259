import { createDecipheriv, createHash } from 'node:crypto';
import * as z from '../../domain/zod';
import { badRequest, unauthorized } from '../../runtime/errors';
import { canonicalEvents, expectShape, jsonBody, millisToIso, type RawEvent, unixMillisText } from '../parsing';
import { safeEqual } from '../signature';
import type { AdapterContext, InboundRequest, ParsedRequest, PlatformAdapter } from '../types';

/**
 * Feishu / Lark event subscriptions (schema 2.0).
 *
 * With an Encrypt Key set, the body is `{ "encrypt": base64 }`: AES-256-CBC
 * with key = SHA-256(encryptKey) and the first 16 bytes of the ciphertext as
 * IV, PKCS#7 padded; and each event is signed
 * `X-Lark-Signature = hex(SHA-256(timestamp + nonce + encryptKey + body))`.
 * Then every request must be encrypted and every one but the URL check must
 * carry a valid signature: Feishu documents that it signs events, not the URL
 * check, which is accepted unsigned only when it decrypts with the key and
 * carries the verification token (it writes nothing). Without an Encrypt Key
 * the body is plain JSON and its verification token is checked in constant
 * time.
 * The URL is verified by a `url_verification` request whose `challenge` is
 * echoed. `header.event_id` is the dedupe key.
 */

/** `X-Lark-Signature` for a request (for tests and local tools). */
export function signFeishu(encryptKey: string, timestamp: string, nonce: string, rawBody: string): string {
  return createHash('sha256')
    .update(timestamp + nonce + encryptKey + rawBody)
    .digest('hex');
}

/** Decrypt an `encrypt` field with the app's Encrypt Key. */
export function decryptFeishu(encryptKey: string, encrypted: string): string {
  const key = createHash('sha256').update(encryptKey).digest();
  const data = Buffer.from(encrypted, 'base64');
  const decipher = createDecipheriv('aes-256-cbc', key, data.subarray(0, 16));
  return Buffer.concat([decipher.update(data.subarray(16)), decipher.final()]).toString('utf8');
}

const userId = z.looseObject({ open_id: z.string().check(z.minLength(1)) });

const envelope = z.union([
  z.looseObject({
    type: z.literal('url_verification'),
    challenge: z.string().check(z.minLength(1)),
    token: z.string(),
  }),
  z.looseObject({
    schema: z.literal('2.0'),
    header: z.looseObject({
      event_id: z.string().check(z.minLength(1), z.maxLength(128)),
      event_type: z.string(),
      create_time: unixMillisText,
      token: z.string(),
    }),
    event: z.looseObject({}),
  }),
]);

const memberChange = z.looseObject({
  chat_id: z.string(),
  operator_id: z.optional(userId),
  users: z.array(z.looseObject({ user_id: userId, name: z.optional(z.string()) })),
});

const messageReceived = z.looseObject({
  sender: z.looseObject({ sender_id: userId, sender_type: z.optional(z.string()) }),
  message: z.looseObject({
    message_id: z.string(),
    chat_id: z.string(),
    message_type: z.string(),
    content: z.optional(z.string()),
  }),
});

/** The body as a JSON object. */
function jsonOf(rawBody: string): Record<string, unknown> {
  const body = jsonBody(rawBody);
  if (body && typeof body === 'object') return body as Record<string, unknown>;
  throw badRequest('body is not a JSON object', '(body)');
}

/** The body as a JSON object for a check before parsing: anything else is refused as unverifiable (401 on `field`). */
function jsonOrUnauthorized(rawBody: string, field: string): Record<string, unknown> {
  try {
    return jsonOf(rawBody);
  } catch {
    throw unauthorized(`the body is not JSON, so it carries no ${field}`, field);
  }
}

/** The payload's verification token (`header.token` in schema 2.0, `token` in the URL check), in constant time. */
function checkToken(payload: Record<string, unknown>, expected: string): void {
  // Schema 2.0 carries it in `header`, the URL check at the top.
  const header = payload.header as { token?: unknown } | undefined;
  const field = header && typeof header === 'object' ? 'header.token' : 'token';
  const token = header?.token ?? payload.token;
  if (typeof token !== 'string') throw unauthorized('verification token is missing', field);
  if (!safeEqual(token, expected)) throw unauthorized('verification token does not match', field);
}

/** The text of a text message, for commands; other message types carry none. */
function textOf(messageType: string, content: string | undefined): string | undefined {
  if (messageType !== 'text' || !content) return undefined;
  try {
    const text = (JSON.parse(content) as { text?: unknown }).text;
    return typeof text === 'string' ? text : undefined;
  } catch {
    return undefined;
  }
}

export const adapter: PlatformAdapter = {
  platform: 'feishu',
  acceptsGet: false,

  async verify(request: InboundRequest, { community, secrets }: AdapterContext): Promise<void> {
    if (community.platform.kind !== 'feishu') throw unauthorized('community is not on Feishu', 'platform');
    const config = community.platform;
    const token = () => secrets.resolve(config.verificationToken);
    if (!config.encryptKey) {
      // Plain mode: nothing is signed, so the verification token in the payload is the whole check.
      checkToken(jsonOrUnauthorized(request.rawBody, 'token'), await token());
      return;
    }
    // Encrypted mode: Feishu encrypts every request and signs every event with the Encrypt Key.
    const key = await secrets.resolve(config.encryptKey);
    const encrypted = jsonOrUnauthorized(request.rawBody, 'encrypt').encrypt;
    if (typeof encrypted !== 'string')
      throw unauthorized('the community has an encryptKey: the body must be encrypted', 'encrypt');
    const { 'x-lark-request-timestamp': timestamp, 'x-lark-request-nonce': nonce } = request.headers;
    const signature = request.headers['x-lark-signature'];
    if (signature !== undefined) {
      if (!timestamp || !nonce || !safeEqual(signature, signFeishu(key, timestamp, nonce, request.rawBody))) {
        throw unauthorized('X-Lark-Signature does not match', 'X-Lark-Signature');
      }
      return;
    }
    // The one request Feishu does not sign is the URL check: it must decrypt with the key and carry the
    // verification token, and it writes nothing (its challenge is echoed). Anything else unsigned is refused.
    let payload: Record<string, unknown>;
    try {
      payload = JSON.parse(decryptFeishu(key, encrypted));
    } catch {
      throw unauthorized('X-Lark-Signature is missing', 'X-Lark-Signature');
    }
    if (payload?.type !== 'url_verification') throw unauthorized('X-Lark-Signature is missing', 'X-Lark-Signature');
    checkToken(payload, await token());
  },

  async prepare(request: InboundRequest, { community, secrets }: AdapterContext): Promise<InboundRequest> {
    const encrypted = jsonOf(request.rawBody).encrypt;
    if (typeof encrypted !== 'string') return request;
    const encryptKey = community.platform.kind === 'feishu' ? community.platform.encryptKey : undefined;
    if (!encryptKey) throw badRequest('body is encrypted but the community has no encryptKey', 'encrypt');
    try {
      return { ...request, rawBody: decryptFeishu(await secrets.resolve(encryptKey), encrypted) };
    } catch {
      throw badRequest('encrypt does not decrypt with the encryptKey', 'encrypt');
    }
  },

  parse(request: InboundRequest, { now }: AdapterContext): ParsedRequest {
    const message = expectShape(envelope, jsonOf(request.rawBody));
    if ('type' in message) {
      return {
        events: [],
        reply: {
          statusCode: 200,
          contentType: 'application/json',
          body: JSON.stringify({ challenge: message.challenge }),
        },
      };
    }
    const { header, event } = message;
    const id = header.event_id;
    const occurredAt = millisToIso(header.create_time);
    const base = { id: 'header.event_id', occurredAt: 'header.create_time' };
    const raw: RawEvent[] = [];
    if (
      header.event_type === 'im.chat.member.user.added_v1' ||
      header.event_type === 'im.chat.member.user.deleted_v1'
    ) {
      const change = expectShape(memberChange, event, 'event.');
      const type = header.event_type === 'im.chat.member.user.added_v1' ? 'member.joined' : 'member.left';
      change.users.forEach((user, i) => {
        const member = { id: user.user_id.open_id, ...(user.name ? { name: user.name } : {}) };
        // The member who added them, when it was not themselves (a join by link names the joiner): declared.
        const inviter = change.operator_id?.open_id;
        const invited =
          type === 'member.joined' && inviter && inviter !== member.id
            ? { invitedBy: inviter, referralConfidence: 'declared' as const }
            : {};
        raw.push({
          event: { id: change.users.length > 1 ? `${id}:${member.id}` : id, type, occurredAt, member, ...invited },
          fields: {
            ...base,
            member: `event.users.${i}`,
            'member.id': `event.users.${i}.user_id.open_id`,
            'member.name': `event.users.${i}.name`,
            invitedBy: 'event.operator_id.open_id',
          },
        });
      });
    } else if (header.event_type === 'im.message.receive_v1') {
      const { sender, message: msg } = expectShape(messageReceived, event, 'event.');
      if (sender.sender_type === undefined || sender.sender_type === 'user') {
        const text = textOf(msg.message_type, msg.content);
        raw.push({
          event: {
            id,
            type: 'message.posted',
            occurredAt,
            member: { id: sender.sender_id.open_id },
            channelId: msg.chat_id,
            ...(text !== undefined ? { text } : {}),
          },
          fields: {
            ...base,
            member: 'event.sender.sender_id',
            'member.id': 'event.sender.sender_id.open_id',
            channelId: 'event.message.chat_id',
            text: 'event.message.content',
          },
        });
      }
    }
    return { events: canonicalEvents(raw, now) };
  },
};
