import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AdapterContext, InboundRequest } from '../../shared/platforms/types';
import { WECOM_TOLERANCE_SECONDS, adapter as wecomAdapter } from '../../shared/platforms/wecom/inbound';
import { HearthError } from '../../shared/runtime/errors';
import { literalSecrets } from '../../shared/runtime/secrets';
import { communityConfig } from '../support/fixtures';

const TOKEN = 'QDG6eK';
const ENCODING_AES_KEY = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
const CORP_ID = 'wx5823bf96d3bd56c7';
const NOW = new Date('2026-11-25T10:00:00Z');
const community = communityConfig({
  id: 'wecom-makers',
  platform: { kind: 'wecom', token: TOKEN, encodingAesKey: ENCODING_AES_KEY, corpId: CORP_ID },
});
const context: AdapterContext = { community, secrets: literalSecrets, now: NOW };

/**
 * Encrypt as WeCom documents it, without the library under test: key =
 * base64(EncodingAESKey + "="), IV = key[0:16], plaintext = 16 random bytes +
 * 4-byte big-endian length + message + CorpID, PKCS#7-padded to 32 bytes.
 */
function seal(message: string, corpId = CORP_ID): string {
  const key = Buffer.from(`${ENCODING_AES_KEY}=`, 'base64');
  const body = Buffer.from(message);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  const plain = Buffer.concat([randomBytes(16), length, body, Buffer.from(corpId)]);
  const pad = 32 - (plain.length % 32);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), cipher.final()]).toString(
    'base64',
  );
}

/** msg_signature as documented: sha1 of the sorted, joined strings. */
const signature = (timestamp: string, nonce: string, encrypted: string) =>
  createHash('sha1').update([TOKEN, timestamp, nonce, encrypted].sort().join('')).digest('hex');

/** A signed timestamp `secondsAgo` before NOW, as WeCom puts it in the query. */
const stamp = (secondsAgo = 5) => String(NOW.getTime() / 1000 - secondsAgo);

function post(
  inner: string,
  options: { corpId?: string; signatureOverride?: string; timestamp?: string } = {},
): InboundRequest {
  const encrypted = seal(inner, options.corpId);
  const timestamp = options.timestamp ?? stamp();
  const nonce = '1372623149';
  return {
    method: 'POST',
    headers: { 'content-type': 'text/xml' },
    query: { msg_signature: options.signatureOverride ?? signature(timestamp, nonce, encrypted), timestamp, nonce },
    rawBody: `<xml><ToUserName><![CDATA[${CORP_ID}]]></ToUserName><Encrypt><![CDATA[${encrypted}]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>`,
  };
}

/** verify, prepare and parse, as the pipeline runs them. */
async function run(request: InboundRequest) {
  await wecomAdapter.verify(request, context);
  const prepared = wecomAdapter.prepare ? await wecomAdapter.prepare(request, context) : request;
  return wecomAdapter.parse(prepared, context);
}

const groupChange = (detail: string, members: string[], state = '') => `<xml>
<ToUserName><![CDATA[${CORP_ID}]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName>
<CreateTime>1795599990</CreateTime><MsgType><![CDATA[event]]></MsgType>
<Event><![CDATA[change_external_chat]]></Event><ChatId><![CDATA[wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA]]></ChatId>
<ChangeType><![CDATA[update]]></ChangeType><UpdateDetail><![CDATA[${detail}]]></UpdateDetail>
<JoinScene>1</JoinScene><QuitScene>0</QuitScene><MemChangeCnt>${members.length}</MemChangeCnt>
<MemChangeList>${members.map((m) => `<Item>${m}</Item>`).join('')}</MemChangeList>${state ? `<State><![CDATA[${state}]]></State>` : ''}
</xml>`;

describe('Object: wecomAdapter', () => {
  it('answers the URL check (GET) with echostr decrypted, to be served once by its signature', async () => {
    // Prepare
    const echostr = seal('1616140317555161061');
    const request: InboundRequest = {
      method: 'GET',
      headers: {},
      rawBody: '',
      query: {
        msg_signature: signature(stamp(), '263014780', echostr),
        timestamp: stamp(),
        nonce: '263014780',
        echostr,
      },
    };

    // Act
    const parsed = await run(request);

    // Assess
    expect(parsed).toEqual({
      events: [],
      reply: { statusCode: 200, contentType: 'text/plain', body: '1616140317555161061' },
      // Kept for both sides of the timestamp's window, so no copy the window lets in is answered twice.
      once: {
        key: `wecom-url#${request.query.msg_signature}`,
        withinSeconds: 2 * WECOM_TOLERANCE_SECONDS,
        field: 'msg_signature',
      },
    });
  });

  it.each([
    ['an hour and a second ago', WECOM_TOLERANCE_SECONDS + 1],
    ['an hour and a second ahead', -(WECOM_TOLERANCE_SECONDS + 1)],
  ])('refuses a correctly signed callback stamped %s (a replay), URL check or event', async (_when, secondsAgo) => {
    // Prepare: both signed correctly, over the stale timestamp.
    const echostr = seal('1616140317555161061');
    const timestamp = stamp(secondsAgo);
    const check: InboundRequest = {
      method: 'GET',
      headers: {},
      rawBody: '',
      query: { msg_signature: signature(timestamp, '263014780', echostr), timestamp, nonce: '263014780', echostr },
    };
    const event = post(groupChange('add_member', ['wmJack']), { timestamp });

    // Act, Assess
    for (const request of [check, event]) {
      await expect(run(request)).rejects.toMatchObject({ statusCode: 401, field: 'timestamp' });
    }
    // An hour exactly is still inside the window.
    await expect(
      run(post(groupChange('add_member', ['wmJack']), { timestamp: stamp(WECOM_TOLERANCE_SECONDS) })),
    ).resolves.toMatchObject({
      events: [expect.objectContaining({ type: 'member.joined' })],
    });
  });

  it('turns add_member and del_member in a customer group into joins and leaves, one per member', async () => {
    // Act
    const added = await run(post(groupChange('add_member', ['wmJack', 'wmRose'], 'poster-2026')));
    const removed = await run(post(groupChange('del_member', ['wmRose'])));

    // Assess
    expect(added.events.map((e) => [e.type, e.member.id, 'referralCode' in e ? e.referralCode : undefined])).toEqual([
      ['member.joined', 'wmJack', 'poster-2026'],
      ['member.joined', 'wmRose', 'poster-2026'],
    ]);
    expect(added.events[0]).toMatchObject({ occurredAt: new Date(1795599990 * 1000).toISOString() });
    expect(new Set(added.events.map((e) => e.id)).size).toBe(2);
    expect(removed.events).toEqual([expect.objectContaining({ type: 'member.left', member: { id: 'wmRose' } })]);
  });

  it('turns text sent to the app into a message keyed by MsgId, text kept for commands', async () => {
    // Act
    const { events, answers } = await run(
      post(
        `<xml><ToUserName><![CDATA[${CORP_ID}]]></ToUserName><FromUserName><![CDATA[zhangsan]]></FromUserName><CreateTime>1795599995</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[/birthday 03-14]]></Content><MsgId>7419210712</MsgId><AgentID>218</AgentID></xml>`,
      ),
    );

    // Assess
    expect(events).toEqual([
      expect.objectContaining({
        id: '7419210712',
        type: 'message.posted',
        member: { id: 'zhangsan' },
        text: '/birthday 03-14',
      }),
    ]);
    // Written to the app in private: the answer must stay private.
    expect(answers).toEqual({ '7419210712': { private: true } });
  });

  it('refuses a wrong msg_signature with 401', async () => {
    // Act
    const error = await run(post(groupChange('add_member', ['wmJack']), { signatureOverride: 'f'.repeat(40) })).catch(
      (e) => e,
    );

    // Assess
    expect((error as HearthError).statusCode).toBe(401);
  });

  it('refuses a message encrypted for another corp with 401', async () => {
    // Act
    const error = await run(post(groupChange('add_member', ['wmJack']), { corpId: 'wwOTHERCORP' })).catch((e) => e);

    // Assess
    expect(error).toBeInstanceOf(HearthError);
    expect((error as HearthError).statusCode).toBe(401);
  });

  it('acknowledges other events without a canonical event', async () => {
    // Act
    const { events } = await run(post(groupChange('change_name', [])));

    // Assess
    expect(events).toEqual([]);
  });

  it('reads one member in MemChangeList as a list of one, and a repeated field as a shape error (400)', async () => {
    // Act
    const one = await run(post(groupChange('add_member', ['wmJack'])));
    const repeated = await run(
      post(groupChange('add_member', ['wmJack']).replace('<MsgType>', '<MsgType><![CDATA[text]]></MsgType><MsgType>')),
    ).catch((e) => e);

    // Assess
    expect(one.events.map((e) => e.member.id)).toEqual(['wmJack']);
    expect((repeated as HearthError).statusCode).toBe(400);
  });

  it('refuses a decrypted message that declares an entity, nests too deep or is not XML with 400 naming Encrypt', async () => {
    // Arrange
    const entity = `<!DOCTYPE xml [<!ENTITY a "${'x'.repeat(64)}">]><xml><MsgType>text</MsgType><Content>&a;&a;</Content></xml>`;
    const deep = `<xml><MsgType>text</MsgType><Content>${'<a>'.repeat(20)}${'</a>'.repeat(20)}</Content></xml>`;

    // Act
    const errors = await Promise.all(
      [entity, deep, '<xml><MsgType>text</xml>', 'not xml'].map((inner) => run(post(inner)).catch((e) => e)),
    );

    // Assess
    for (const error of errors) {
      expect(error).toBeInstanceOf(HearthError);
      expect(error).toMatchObject({ statusCode: 400, field: 'Encrypt' });
    }
  });

  it('refuses an envelope that is not XML with 400 before any signature is computed', async () => {
    // Act
    const error = await run({ ...post(groupChange('add_member', ['wmJack'])), rawBody: '<xml><Encrypt>' }).catch(
      (e) => e,
    );

    // Assess
    expect(error).toMatchObject({ statusCode: 400, field: '(body)' });
  });
});
