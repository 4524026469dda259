import { decrypt, getSignature } from '@wecom/crypto';
import * as z from '../../domain/zod';
import { badRequest, unauthorized } from '../../runtime/errors';
import { canonicalEvents, expectShape, type RawEvent, secondsToIso, unixSecondsText } from '../parsing';
import { isFresh, safeEqual } from '../signature';
import type { AdapterContext, InboundRequest, ParsedRequest, PlatformAdapter } from '../types';
import { readXml } from './xml';

/**
 * WeCom (Enterprise WeChat) callbacks. Every request carries `msg_signature`,
 * `timestamp` and `nonce` in the query; `msg_signature =
 * sha1(sort([token, timestamp, nonce, encrypt]).join(""))`. Bodies are XML
 * whose `Encrypt` is AES-256-CBC (key = base64(EncodingAESKey + "="), IV =
 * key[0:16]; plaintext = 16 random bytes + 4-byte length + message + CorpID).
 * The URL is verified by a GET whose `echostr` is returned decrypted. The
 * crypto is the official `@wecom/crypto`; WeCom retries 3 times, 5 s apart.
 *
 * WeCom documents no replay window, but it signs `timestamp`: a request more
 * than WECOM_TOLERANCE_SECONDS off is refused, so a captured callback cannot
 * be sent again later. Inside the window a copy is a duplicate (the event's
 * id dedupes it, a command's answer has the event's id) or, for the URL
 * check, is refused: the pipeline remembers each check it answered (`once`).
 *
 * Customer-group changes (`change_external_chat`, `add_member` /
 * `del_member`) become joins and leaves; text sent to the app becomes a
 * message (commands). WeCom does not deliver a customer group's messages by
 * callback.
 */

/**
 * WeCom's XML nests three deep at most (`xml` > `MemChangeList` > `Item`). The envelope is read before its
 * signature is checked; both readings refuse nesting past a few levels, and no DOCTYPE's entity is expanded.
 */
const envelopeXml = (text: string) => readXml(text, { maxDepth: 4 });
const messageXml = (text: string) => readXml(text, { maxDepth: 8, arrays: ['Item'] });

/**
 * How far a request's signed `timestamp` may be from its receipt. WeCom's own retries come within 15 s; an hour
 * leaves room for a slow clock, as DingTalk's documented window does.
 */
export const WECOM_TOLERANCE_SECONDS = 3600;

/** The query's signature fields, or 401; a timestamp outside the window is 401 too. */
function signed(request: InboundRequest, now: Date) {
  const { msg_signature: signature, timestamp, nonce } = request.query;
  if (!signature || !timestamp || !nonce) {
    const missing = !signature ? 'msg_signature' : !timestamp ? 'timestamp' : 'nonce';
    throw unauthorized('msg_signature, timestamp or nonce is missing', missing);
  }
  if (!/^\d{1,12}$/.test(timestamp) || !isFresh(Number(timestamp), now, WECOM_TOLERANCE_SECONDS)) {
    throw unauthorized(`timestamp is more than ${WECOM_TOLERANCE_SECONDS} s off`, 'timestamp');
  }
  return { signature, timestamp, nonce };
}

/** The `Encrypt` field of a POST body. */
function encryptedOf(rawBody: string): string {
  let envelope: { xml?: { Encrypt?: unknown } };
  try {
    envelope = envelopeXml(rawBody);
  } catch {
    throw badRequest('body is not valid XML', '(body)');
  }
  const encrypted = envelope.xml?.Encrypt;
  if (typeof encrypted !== 'string' || !encrypted) throw badRequest('Encrypt is missing', 'Encrypt');
  return encrypted;
}

/** Decrypt with the community's key, and check the message is for its corp. */
function open(encodingAesKey: string, corpId: string, encrypted: string, field: string): string {
  let opened: { message: string; id: string };
  try {
    opened = decrypt(encodingAesKey, encrypted);
  } catch {
    throw badRequest(`${field} does not decrypt with the encodingAesKey`, field);
  }
  if (opened.id !== corpId) throw unauthorized('message is for another corp', field);
  return opened.message;
}

const event = z.looseObject({
  MsgType: z.string(),
  CreateTime: unixSecondsText,
  FromUserName: z.optional(z.string()),
  MsgId: z.optional(z.string()),
  Content: z.optional(z.string()),
  Event: z.optional(z.string()),
  ChatId: z.optional(z.string()),
  UpdateDetail: z.optional(z.string()),
  State: z.optional(z.string()),
  // An empty list parses as an empty string.
  MemChangeList: z.optional(z.union([z.looseObject({ Item: z.array(z.string()) }), z.literal('')])),
});

export const adapter: PlatformAdapter = {
  platform: 'wecom',
  acceptsGet: true,

  async verify(request: InboundRequest, { community, secrets, now }: AdapterContext): Promise<void> {
    if (community.platform.kind !== 'wecom') throw unauthorized('community is not on WeCom', 'platform');
    const { signature, timestamp, nonce } = signed(request, now);
    const encrypted = request.method === 'GET' ? request.query.echostr : encryptedOf(request.rawBody);
    if (!encrypted) throw unauthorized('echostr is missing', 'echostr');
    const token = await secrets.resolve(community.platform.token);
    if (!safeEqual(signature, getSignature(token, timestamp, nonce, encrypted))) {
      throw unauthorized('msg_signature does not match', 'msg_signature');
    }
  },

  async prepare(request: InboundRequest, { community, secrets }: AdapterContext): Promise<InboundRequest> {
    if (community.platform.kind !== 'wecom') return request;
    const key = await secrets.resolve(community.platform.encodingAesKey);
    const corpId = await secrets.resolve(community.platform.corpId);
    if (request.method === 'GET') {
      return { ...request, rawBody: open(key, corpId, request.query.echostr as string, 'echostr') };
    }
    return { ...request, rawBody: open(key, corpId, encryptedOf(request.rawBody), 'Encrypt') };
  },

  parse(request: InboundRequest, { now }: AdapterContext): ParsedRequest {
    // The URL check: answer with the decrypted echostr, as plain text.
    // Served once: a copy inside the window would be answered the same, so it is refused instead.
    if (request.method === 'GET')
      return {
        events: [],
        reply: { statusCode: 200, contentType: 'text/plain', body: request.rawBody },
        once: {
          key: `wecom-url#${request.query.msg_signature}`,
          withinSeconds: 2 * WECOM_TOLERANCE_SECONDS,
          field: 'msg_signature',
        },
      };
    let message: unknown;
    try {
      message = messageXml(request.rawBody).xml;
    } catch {
      throw badRequest('decrypted message is not valid XML', 'Encrypt');
    }
    const e = expectShape(event, message);
    const occurredAt = secondsToIso(e.CreateTime);
    const raw: RawEvent[] = [];
    if (e.MsgType === 'event' && e.Event === 'change_external_chat') {
      const type =
        e.UpdateDetail === 'add_member' ? 'member.joined' : e.UpdateDetail === 'del_member' ? 'member.left' : undefined;
      const members = e.MemChangeList ? e.MemChangeList.Item : [];
      (type ? members : []).forEach((memberId, i) => {
        // No MsgId on events: the chat, the time and the member make the id.
        raw.push({
          event: {
            id: `${e.ChatId}:${e.CreateTime}:${e.UpdateDetail}:${memberId}`,
            type,
            occurredAt,
            member: { id: memberId },
            ...(type === 'member.joined' && e.State ? { referralCode: e.State } : {}),
          },
          fields: {
            id: 'ChatId',
            occurredAt: 'CreateTime',
            member: `MemChangeList.Item.${i}`,
            referralCode: 'State',
          },
        });
      });
    } else if (e.MsgType === 'text' && e.FromUserName) {
      const id = e.MsgId ?? `${e.FromUserName}:${e.CreateTime}`;
      raw.push({
        event: {
          id,
          type: 'message.posted',
          occurredAt,
          member: { id: e.FromUserName },
          channelId: 'app',
          ...(e.Content !== undefined ? { text: e.Content } : {}),
        },
        fields: {
          id: e.MsgId !== undefined ? 'MsgId' : 'FromUserName',
          occurredAt: 'CreateTime',
          member: 'FromUserName',
          text: 'Content',
        },
      });
      // Written to the app, in private: answered as an app message, never in the robot's group.
      return { events: canonicalEvents(raw, now), answers: { [id]: { private: true } } };
    }
    return { events: canonicalEvents(raw, now) };
  },
};
