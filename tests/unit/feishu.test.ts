import { describe, expect, it } from 'vitest';
import { decryptFeishu, adapter as feishuAdapter, signFeishu } from '../../shared/platforms/feishu/inbound';
import type { AdapterContext, InboundRequest } from '../../shared/platforms/types';
import { HearthError } from '../../shared/runtime/errors';
import { literalSecrets } from '../../shared/runtime/secrets';
import { communityConfig, hearthError as hearthErrorOf } from '../support/fixtures';
import { encryptFeishu } from '../support/platform-requests';

const ENCRYPT_KEY = 'kudryavtsev-encrypt-key';
const TOKEN = 'v-token-abc';
const NOW = new Date('2026-11-25T10:00:00Z');
const plainApp = communityConfig({
  id: 'lark-plain',
  platform: { kind: 'feishu', verificationToken: TOKEN, appId: 'cli_a1', appSecret: 's' },
});
const encryptedApp = communityConfig({
  id: 'lark-enc',
  platform: { kind: 'feishu', encryptKey: ENCRYPT_KEY, verificationToken: TOKEN, appId: 'cli_a1', appSecret: 's' },
});
const context = (community = plainApp): AdapterContext => ({ community, secrets: literalSecrets, now: NOW });

const request = (body: unknown, headers: Record<string, string> = {}): InboundRequest => ({
  method: 'POST',
  query: {},
  rawBody: typeof body === 'string' ? body : JSON.stringify(body),
  headers: { 'content-type': 'application/json', ...headers },
});

/** An encrypted, signed request as Feishu sends it with an Encrypt Key. */
function sealed(payload: unknown, key = ENCRYPT_KEY) {
  const rawBody = JSON.stringify({ encrypt: encryptFeishu(key, JSON.stringify(payload)) });
  const timestamp = String(Math.floor(NOW.getTime() / 1000));
  const nonce = 'n0nce';
  return request(rawBody, {
    'x-lark-request-timestamp': timestamp,
    'x-lark-request-nonce': nonce,
    'x-lark-signature': signFeishu(key, timestamp, nonce, rawBody),
  });
}

const v2 = (eventType: string, event: Record<string, unknown>, eventId = '5e3702a84e847582be8db7fb73283c02') => ({
  schema: '2.0',
  header: {
    event_id: eventId,
    event_type: eventType,
    create_time: String(NOW.getTime() - 3_000),
    token: TOKEN,
    app_id: 'cli_a1',
    tenant_key: 't1',
  },
  event,
});

const message = v2('im.message.receive_v1', {
  sender: { sender_id: { open_id: 'ou_ada', user_id: 'ada', union_id: 'on_ada' }, sender_type: 'user' },
  message: {
    message_id: 'om_1',
    chat_id: 'oc_makers',
    chat_type: 'group',
    message_type: 'text',
    content: JSON.stringify({ text: '/points' }),
    create_time: String(NOW.getTime() - 3_000),
  },
});

/** prepare + parse, as the pipeline runs them. */
async function parse(req: InboundRequest, ctx = context()) {
  const prepared = feishuAdapter.prepare ? await feishuAdapter.prepare(req, ctx) : req;
  return feishuAdapter.parse(prepared, ctx);
}

describe('Object: feishuAdapter', () => {
  it('decrypts the example in Feishu’s documentation', () => {
    expect(decryptFeishu('test key', 'P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=')).toBe('hello world');
  });

  describe('Function: verify', () => {
    it('accepts a plain request with the verification token, and a signed encrypted one', async () => {
      await expect(feishuAdapter.verify(request(message), context())).resolves.toBeUndefined();
      await expect(feishuAdapter.verify(sealed(message), context(encryptedApp))).resolves.toBeUndefined();
    });

    it.each([
      [
        'a wrong verification token',
        () => request({ ...message, header: { ...message.header, token: 'nope' } }),
        plainApp,
      ],
      [
        'a wrong signature',
        () => ({ ...sealed(message), headers: { ...sealed(message).headers, 'x-lark-signature': 'ab' } }),
        encryptedApp,
      ],
      [
        'a body encrypted with another key and unsigned',
        () => request({ encrypt: encryptFeishu('other', JSON.stringify(message)) }),
        encryptedApp,
      ],
      // With an Encrypt Key, the token alone is not enough: this is what a hostile client got through before.
      ['a plain, unsigned event carrying the right token', () => request(message), encryptedApp],
      [
        'a plain event signed with the key (Feishu encrypts every request when it has one)',
        () => {
          const rawBody = JSON.stringify(message);
          return request(rawBody, {
            'x-lark-request-timestamp': '1',
            'x-lark-request-nonce': 'n',
            'x-lark-signature': signFeishu(ENCRYPT_KEY, '1', 'n', rawBody),
          });
        },
        encryptedApp,
      ],
      [
        'an encrypted event without X-Lark-Signature',
        () => request({ encrypt: encryptFeishu(ENCRYPT_KEY, JSON.stringify(message)) }),
        encryptedApp,
      ],
      [
        'a signature without its timestamp and nonce',
        () => {
          const sealedRequest = sealed(message);
          return { ...sealedRequest, headers: { 'x-lark-signature': sealedRequest.headers['x-lark-signature'] } };
        },
        encryptedApp,
      ],
      [
        'an unsigned URL check with a wrong token',
        () =>
          request({
            encrypt: encryptFeishu(
              ENCRYPT_KEY,
              JSON.stringify({ challenge: 'c', token: 'nope', type: 'url_verification' }),
            ),
          }),
        encryptedApp,
      ],
      ['a plain body with no token at all', () => request({ schema: '2.0', header: {}, event: {} }), plainApp],
    ])('refuses %s with 401', async (_what, make, community) => {
      // Act
      const error = await feishuAdapter.verify(make(), context(community)).catch((e) => e);

      // Assess
      expect(error).toBeInstanceOf(HearthError);
      expect((error as HearthError).statusCode).toBe(401);
    });
    it.each([
      [
        'an event whose header has no token',
        () => request({ schema: '2.0', header: {}, event: {} }),
        plainApp,
        'header.token',
      ],
      ['a URL check with no token', () => request({ type: 'url_verification', challenge: 'c' }), plainApp, 'token'],
      ['a body that is not JSON, with an Encrypt Key', () => request('not json'), encryptedApp, 'encrypt'],
    ])('names the field of %s in its 401', async (_what, make, community, field) => {
      const error = await hearthErrorOf(() => feishuAdapter.verify(make(), context(community)));
      expect([error.statusCode, error.field]).toEqual([401, field]);
    });

    it('accepts the unsigned URL check Feishu sends with an Encrypt Key when it decrypts and carries the token', async () => {
      // Prepare: Feishu signs events, not the URL check (its documentation says so).
      const check = { challenge: 'ajls384kdjx98XX', token: TOKEN, type: 'url_verification' };
      const unsigned = request({ encrypt: encryptFeishu(ENCRYPT_KEY, JSON.stringify(check)) });

      // Act + Assess
      await expect(feishuAdapter.verify(unsigned, context(encryptedApp))).resolves.toBeUndefined();
    });
  });

  describe('Function: parse', () => {
    it('answers url_verification, plain and encrypted, with its challenge', async () => {
      // Prepare
      const check = { challenge: 'ajls384kdjx98XX', token: TOKEN, type: 'url_verification' };

      // Act
      const plain = await parse(request(check));
      const encrypted = await parse(
        request({ encrypt: encryptFeishu(ENCRYPT_KEY, JSON.stringify(check)) }),
        context(encryptedApp),
      );

      // Assess
      for (const parsed of [plain, encrypted]) {
        expect(parsed.events).toEqual([]);
        expect(JSON.parse(parsed.reply?.body as string)).toEqual({ challenge: 'ajls384kdjx98XX' });
      }
    });

    it('turns a received text message into message.posted keyed by header.event_id, with its text for commands', async () => {
      // Act
      const { events } = await parse(sealed(message), context(encryptedApp));

      // Assess
      expect(events).toEqual([
        {
          id: '5e3702a84e847582be8db7fb73283c02',
          type: 'message.posted',
          occurredAt: new Date(NOW.getTime() - 3_000).toISOString(),
          member: { id: 'ou_ada' },
          channelId: 'oc_makers',
          text: '/points',
        },
      ]);
    });

    it('names the member who added another as a declared referral', async () => {
      // Act
      const added = await parse(
        request(
          v2('im.chat.member.user.added_v1', {
            chat_id: 'oc_makers',
            operator_id: { open_id: 'ou_cy' },
            users: [
              { name: 'Ada', user_id: { open_id: 'ou_ada' } },
              { name: 'Cy', user_id: { open_id: 'ou_cy' } },
            ],
          }),
        ),
      );

      // Assess
      expect(
        added.events.map((e) => e.type === 'member.joined' && [e.member.id, e.invitedBy, e.referralConfidence]),
      ).toEqual([
        ['ou_ada', 'ou_cy', 'declared'],
        ['ou_cy', undefined, undefined],
      ]);
    });

    it('turns members added and removed into joins and leaves, one per member', async () => {
      // Act
      const added = await parse(
        request(
          v2('im.chat.member.user.added_v1', {
            chat_id: 'oc_makers',
            users: [
              { name: 'Ada', user_id: { open_id: 'ou_ada' } },
              { name: 'Bo', user_id: { open_id: 'ou_bo' } },
            ],
          }),
        ),
      );
      const removed = await parse(
        request(
          v2(
            'im.chat.member.user.deleted_v1',
            { chat_id: 'oc_makers', users: [{ user_id: { open_id: 'ou_bo' } }] },
            'ev-del',
          ),
        ),
      );

      // Assess
      expect(added.events.map((e) => [e.id, e.type, e.member])).toEqual([
        ['5e3702a84e847582be8db7fb73283c02:ou_ada', 'member.joined', { id: 'ou_ada', name: 'Ada' }],
        ['5e3702a84e847582be8db7fb73283c02:ou_bo', 'member.joined', { id: 'ou_bo', name: 'Bo' }],
      ]);
      expect(added.events[0]).not.toHaveProperty('invitedBy');
      expect(removed.events).toEqual([
        expect.objectContaining({ id: 'ev-del', type: 'member.left', member: { id: 'ou_bo' } }),
      ]);
    });

    it('acknowledges messages from apps and events Hearth does not use without an event', async () => {
      const fromApp = v2('im.message.receive_v1', {
        sender: { sender_id: { open_id: 'ou_bot' }, sender_type: 'app' },
        message: { message_id: 'om_2', chat_id: 'oc_makers', message_type: 'text', content: '{"text":"hi"}' },
      });
      expect((await parse(request(fromApp))).events).toEqual([]);
      expect((await parse(request(v2('im.chat.updated_v1', { chat_id: 'oc_makers' })))).events).toEqual([]);
    });

    it('refuses an encrypted body that does not decrypt with 400 naming encrypt', async () => {
      // Act
      const error = await parse(request({ encrypt: 'bm90IGNpcGhlcnRleHQ=' }), context(encryptedApp)).catch((e) => e);

      // Assess
      expect((error as HearthError).statusCode).toBe(400);
      expect((error as HearthError).field).toBe('encrypt');
    });
  });
});
