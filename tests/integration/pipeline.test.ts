import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { encrypt, getSignature } from '@wecom/crypto';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DomainEvent, EventPublisher } from '../../shared/events/domain-events';
import { signDingTalk } from '../../shared/platforms/dingtalk/inbound';
import { signFeishu } from '../../shared/platforms/feishu/inbound';
import { signGeneric } from '../../shared/platforms/generic/inbound';
import { signSlack } from '../../shared/platforms/slack/inbound';
import { literalSecrets } from '../../shared/runtime/secrets';
import { CommunityCache, putCommunity } from '../../shared/store/communities';
import type { Db } from '../../shared/store/db';
import { dayPk } from '../../shared/store/keys';
import { getMemberWithTotals } from '../../shared/store/members';
import {
  handleWebhook,
  MAX_BODY_BYTES,
  type PipelineDeps,
  type PipelineMetrics,
  type WebhookRequest,
} from '../../shared/webhook/pipeline';
import { freshTable } from '../support/dynamo';
import { communityConfig, hearthError } from '../support/fixtures';
import { encryptFeishu } from '../support/platform-requests';

const SECRET = 'whsec_pipeline_test';
const NOW = new Date('2026-11-25T17:30:00.000Z');

const COMMUNITY = communityConfig({ webhookSecret: SECRET });
const ON_SLACK = communityConfig({
  id: 'slackers',
  name: 'Slackers',
  timezone: 'UTC',
  webhookSecret: 'whsec_slackers_secret',
  platform: { kind: 'slack', signingSecret: 'sign', botToken: 'xoxb-1' },
});

class RecordingPublisher implements EventPublisher {
  readonly published: DomainEvent[][] = [];
  async publish(events: readonly DomainEvent[]): Promise<void> {
    this.published.push([...events]);
  }
}

class RecordingMetrics implements PipelineMetrics {
  readonly calls: Array<[string, number | string]> = [];
  accepted(count: number) {
    this.calls.push(['accepted', count]);
  }
  duplicates(count: number) {
    this.calls.push(['duplicates', count]);
  }
  rejected(reason: string) {
    this.calls.push(['rejected', reason]);
  }
}

let db: Db;
let publisher: RecordingPublisher;
let metrics: RecordingMetrics;
let deps: PipelineDeps;
let seq = 0;

beforeAll(async () => {
  db = await freshTable('pipeline');
  await putCommunity(db, COMMUNITY, NOW);
  await putCommunity(db, ON_SLACK, NOW);
});

beforeEach(() => {
  publisher = new RecordingPublisher();
  metrics = new RecordingMetrics();
  deps = { db, communities: new CommunityCache(db), secrets: literalSecrets, publisher, metrics };
});

/** A generic event body for member `memberId`, one minute before NOW. */
function body(type: string, memberId: string, extra: Record<string, unknown> = {}) {
  const defaults: Record<string, unknown> = type === 'message.posted' ? { channelId: 'general' } : {};
  return JSON.stringify({
    id: `evt-${++seq}`,
    type,
    occurredAt: '2026-11-25T17:29:00Z',
    member: { id: memberId },
    ...defaults,
    ...extra,
  });
}

/** A POST to the generic webhook, signed with `secret` at `signedAt`. */
function signed(rawBody: string, options: { secret?: string; signedAt?: Date; communityId?: string } = {}) {
  const header = signGeneric(options.secret ?? SECRET, rawBody, options.signedAt ?? NOW);
  return request(rawBody, { 'hearth-signature': header }, options.communityId);
}

function request(
  rawBody: string,
  headers: Record<string, string> = {},
  communityId = COMMUNITY.id,
  platform = 'generic',
  method = 'POST',
): WebhookRequest {
  return { platform, communityId, method, headers, query: {}, rawBody };
}

/** Every item in the table, for "nothing was written" checks (a test-only Scan). */
async function snapshot() {
  const result = await db.doc.send(new ScanCommand({ TableName: db.table }));
  return (result.Items ?? []).map((item) => `${item.pk}|${item.sk}|${JSON.stringify(item, replacer)}`).sort();
}
const replacer = (_key: string, value: unknown) => (value instanceof Set ? [...value].sort() : value);

const rejection = (req: WebhookRequest, now: Date = NOW) => hearthError(() => handleWebhook(deps, req, now));

async function dayPartition(day: string) {
  const result = await db.doc.send(
    new QueryCommand({
      TableName: db.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': dayPk(COMMUNITY.id, day) },
    }),
  );
  return result.Items ?? [];
}

describe('Module: webhook pipeline', () => {
  describe('Function: handleWebhook (accepted)', () => {
    it('accepts a signed join, stores it and publishes member.joined', async () => {
      // Prepare
      const raw = body('member.joined', 'p-join', { referralCode: 'REF-1' });
      const id = JSON.parse(raw).id as string;

      // Act
      const outcome = await handleWebhook(deps, signed(raw), NOW);

      // Assess
      expect(outcome.accepted).toBe(1);
      expect(outcome.duplicates).toBe(0);
      expect(outcome.reply.statusCode).toBe(200);
      expect(JSON.parse(outcome.reply.body)).toEqual({ ok: true, accepted: 1, duplicates: 0, ids: [id] });
      expect(publisher.published).toHaveLength(1);
      expect(publisher.published[0]).toEqual([
        expect.objectContaining({
          type: 'member.joined',
          memberId: 'p-join',
          communityId: 'acme',
          referralCode: 'REF-1',
        }),
      ]);
      expect(await getMemberWithTotals(db, COMMUNITY.id, 'p-join')).toMatchObject({ status: 'member', joins: 1 });
      expect(metrics.calls).toEqual([
        ['accepted', 1],
        ['duplicates', 0],
      ]);
    });

    it('answers a duplicate with duplicates 1 and publishes nothing again', async () => {
      // Prepare
      const raw = body('member.joined', 'p-dup');
      await handleWebhook(deps, signed(raw), NOW);
      publisher.published.length = 0;
      metrics.calls.length = 0;

      // Act
      const outcome = await handleWebhook(deps, signed(raw), new Date(NOW.getTime() + 60_000));

      // Assess
      expect(outcome.accepted).toBe(0);
      expect(outcome.duplicates).toBe(1);
      expect(outcome.reply.statusCode).toBe(200);
      expect(publisher.published).toEqual([]);
      expect(metrics.calls).toEqual([
        ['accepted', 0],
        ['duplicates', 1],
      ]);
      expect(await getMemberWithTotals(db, COMMUNITY.id, 'p-dup')).toMatchObject({ joins: 1 });
    });

    it('stores a message without publishing any bus event', async () => {
      // Prepare
      const raw = body('message.posted', 'p-msg');

      // Act
      const outcome = await handleWebhook(deps, signed(raw), NOW);

      // Assess
      expect(outcome.accepted).toBe(1);
      expect(publisher.published).toEqual([]);
      expect(await getMemberWithTotals(db, COMMUNITY.id, 'p-msg')).toMatchObject({
        messages: 1,
        lastActiveDay: '2026-11-26',
      });
    });

    it('accepts generic events for a community that lives on another platform', async () => {
      // Prepare
      const raw = body('message.posted', 'p-relay');

      // Act
      const outcome = await handleWebhook(
        deps,
        signed(raw, { secret: 'whsec_slackers_secret', communityId: ON_SLACK.id }),
        NOW,
      );

      // Assess
      expect(outcome.accepted).toBe(1);
      expect(await getMemberWithTotals(db, ON_SLACK.id, 'p-relay')).toMatchObject({ messages: 1 });
    });

    it('ignores unknown fields in the body', async () => {
      // Prepare
      const raw = body('message.posted', 'p-extra', { sourceVersion: 3, member: { id: 'p-extra', avatar: 'x' } });

      // Act
      const outcome = await handleWebhook(deps, signed(raw), NOW);

      // Assess
      expect(outcome.accepted).toBe(1);
      const member = await getMemberWithTotals(db, COMMUNITY.id, 'p-extra');
      expect(member).toBeDefined();
      expect(member).not.toHaveProperty('avatar');
    });
  });

  describe('Function: handleWebhook (rejected)', () => {
    it('refuses a bad signature with 401 and writes nothing', async () => {
      // Prepare
      const raw = body('message.posted', 'p-forged');
      const before = await snapshot();

      // Act
      const error = await rejection(signed(raw, { secret: 'whsec_not_the_secret' }));

      // Assess
      expect(error.statusCode).toBe(401);
      expect(error.code).toBe('unauthorized');
      expect(await getMemberWithTotals(db, COMMUNITY.id, 'p-forged')).toBeUndefined();
      expect((await dayPartition('2026-11-26')).map((r) => r.memberId)).not.toContain('p-forged');
      expect(await snapshot()).toEqual(before);
      expect(metrics.calls).toEqual([['rejected', 'unauthorized']]);
      expect(publisher.published).toEqual([]);
    });

    it('refuses a request without a signature with 401', async () => {
      // Act
      const error = await rejection(request(body('message.posted', 'p-unsigned')));

      // Assess
      expect(error.statusCode).toBe(401);
      expect(await getMemberWithTotals(db, COMMUNITY.id, 'p-unsigned')).toBeUndefined();
    });

    it('refuses a stale timestamp with 401', async () => {
      // Prepare
      const raw = body('message.posted', 'p-stale');

      // Act
      const error = await rejection(signed(raw, { signedAt: new Date(NOW.getTime() - 301_000) }));

      // Assess
      expect(error.statusCode).toBe(401);
      expect(await getMemberWithTotals(db, COMMUNITY.id, 'p-stale')).toBeUndefined();
      expect(metrics.calls).toEqual([['rejected', 'unauthorized']]);
    });

    it('refuses malformed JSON with 400 naming (body), and writes nothing', async () => {
      // Prepare
      const before = await snapshot();

      // Act
      const error = await rejection(signed('{"id": "evt-x", "type": '));

      // Assess
      expect(error.statusCode).toBe(400);
      expect(error.field).toBe('(body)');
      expect(await snapshot()).toEqual(before);
      expect(metrics.calls).toEqual([['rejected', 'bad_request']]);
    });

    it('refuses a known field of the wrong shape with 400 naming it, and writes nothing', async () => {
      // Prepare
      const raw = body('message.posted', 'p-shape', { channelId: 7 });

      // Act
      const error = await rejection(signed(raw));

      // Assess
      expect(error.statusCode).toBe(400);
      expect(error.field).toBe('channelId');
      expect(await getMemberWithTotals(db, COMMUNITY.id, 'p-shape')).toBeUndefined();
    });

    it('refuses an event more than 5 minutes in the future with 400', async () => {
      // Prepare
      const raw = body('message.posted', 'p-future', { occurredAt: '2026-11-25T17:36:00Z' });

      // Act
      const error = await rejection(signed(raw));

      // Assess
      expect(error.statusCode).toBe(400);
      expect(error.field).toBe('occurredAt');
      expect(await getMemberWithTotals(db, COMMUNITY.id, 'p-future')).toBeUndefined();
    });

    it('refuses an unknown community with 404', async () => {
      // Prepare
      const raw = body('message.posted', 'p-nowhere');

      // Act
      const error = await rejection(signed(raw, { communityId: 'no-such-community' }));

      // Assess
      expect(error.statusCode).toBe(404);
      expect(error.code).toBe('not_found');
      expect(metrics.calls).toEqual([['rejected', 'not_found']]);
    });

    it.each([
      ['an unknown platform', 'myspace'],
      ['a platform the community is not on', 'discord'],
    ])('refuses %s with 404', async (_what, platform) => {
      // Prepare
      const raw = body('message.posted', 'p-platform');
      const req = { ...signed(raw, { communityId: ON_SLACK.id }), platform };

      // Act
      const error = await rejection(req);

      // Assess
      expect(error.statusCode).toBe(404);
      expect(await getMemberWithTotals(db, ON_SLACK.id, 'p-platform')).toBeUndefined();
    });

    it('refuses a GET on the generic webhook', async () => {
      // Act
      const error = await rejection(request('', {}, COMMUNITY.id, 'generic', 'GET'));

      // Assess
      expect(error.statusCode).toBe(405);
    });

    it('refuses a body over 256 KiB with 413 before anything else', async () => {
      // Prepare: an unknown platform and community would otherwise be a 404.
      const raw = 'x'.repeat(MAX_BODY_BYTES + 1);
      const req = request(raw, {}, 'no-such-community', 'myspace');

      // Act
      const error = await rejection(req);

      // Assess
      expect(error.statusCode).toBe(413);
      expect(error.code).toBe('payload_too_large');
      expect(metrics.calls).toEqual([['rejected', 'payload_too_large']]);
    });

    it('counts the size in bytes, not characters', async () => {
      // Prepare: 3 bytes per character in UTF-8, so under the limit in characters, over it in bytes.
      const raw = '好'.repeat(Math.floor(MAX_BODY_BYTES / 3) + 1);

      // Act
      const error = await rejection(signed(raw));

      // Assess
      expect(raw.length).toBeLessThan(MAX_BODY_BYTES);
      expect(error.statusCode).toBe(413);
    });

    it('accepts a signed body of exactly 256 KiB as far as its size goes', async () => {
      // Prepare: a valid event padded with an unknown field to exactly the limit.
      const base = body('message.posted', 'p-big', { padding: '' });
      const raw = base.replace('"padding":""', `"padding":"${'x'.repeat(MAX_BODY_BYTES - Buffer.byteLength(base))}"`);

      // Act
      const outcome = await handleWebhook(deps, signed(raw), NOW);

      // Assess
      expect(Buffer.byteLength(raw)).toBe(MAX_BODY_BYTES);
      expect(outcome.accepted).toBe(1);
    });
  });

  describe('Function: handleWebhook (a failed publish)', () => {
    // A publish that fails makes the webhook answer 500 and the platform retry
    // the same event; the retry must publish the join, or onboarding never hears of it.
    it('publishes member.joined on the retry of a request whose publish failed', async () => {
      // Prepare
      const raw = body('member.joined', 'p-bus-down');
      let down = true;
      const flaky: EventPublisher = {
        async publish(events) {
          if (down) throw new Error('bus unavailable');
          await publisher.publish(events);
        },
      };
      const flakyDeps = { ...deps, publisher: flaky };
      await expect(handleWebhook(flakyDeps, signed(raw), NOW)).rejects.toThrow('bus unavailable');
      down = false;

      // Act
      await handleWebhook(
        flakyDeps,
        signed(raw, { signedAt: new Date(NOW.getTime() + 60_000) }),
        new Date(NOW.getTime() + 60_000),
      );

      // Assess
      expect(publisher.published.flat().map((e) => [e.type, e.memberId])).toEqual([['member.joined', 'p-bus-down']]);
    });
  });
});

describe('Function: handleWebhook (Slack)', () => {
  const slack = (payload: unknown, headers: Record<string, string> = {}, communityId = ON_SLACK.id) => {
    const rawBody = JSON.stringify(payload);
    const t = Math.floor(NOW.getTime() / 1000);
    return request(
      rawBody,
      { 'x-slack-request-timestamp': String(t), 'x-slack-signature': signSlack('sign', t, rawBody), ...headers },
      communityId,
      'slack',
    );
  };
  const message = (eventId: string, user: string) => ({
    type: 'event_callback',
    team_id: 'T0',
    api_app_id: 'A0',
    event_id: eventId,
    event_time: Math.floor(NOW.getTime() / 1000) - 60,
    event: { type: 'message', user, text: 'hi', channel: 'C1', ts: '1.1' },
  });

  it('answers url_verification with the challenge and writes nothing', async () => {
    // Prepare
    const before = await snapshot();

    // Act
    const outcome = await handleWebhook(deps, slack({ type: 'url_verification', challenge: 'c-123' }), NOW);

    // Assess
    expect(outcome.reply).toEqual({ statusCode: 200, contentType: 'text/plain', body: 'c-123' });
    expect(await snapshot()).toEqual(before);
  });

  it("applies a message once, and Slack's retry of it (X-Slack-Retry-Num) is a duplicate", async () => {
    // Act
    const first = await handleWebhook(deps, slack(message('Ev0SLACK1', 'U0ADA')), NOW);
    const retry = await handleWebhook(
      deps,
      slack(message('Ev0SLACK1', 'U0ADA'), { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' }),
      NOW,
    );

    // Assess
    expect([first.accepted, retry.duplicates]).toEqual([1, 1]);
    expect(await getMemberWithTotals(db, ON_SLACK.id, 'U0ADA')).toMatchObject({ messages: 1 });
  });

  it('refuses a bad Slack signature with 401 and writes nothing', async () => {
    // Prepare
    const before = await snapshot();
    const req = slack(message('Ev0SLACK2', 'U0EVE'));

    // Act
    const error = await rejection({ ...req, headers: { ...req.headers, 'x-slack-signature': 'v0=00' } });

    // Assess
    expect(error.statusCode).toBe(401);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses the Slack route for a community that is not on Slack with 404', async () => {
    // Act
    const error = await rejection(slack(message('Ev0SLACK3', 'U0ADA'), {}, COMMUNITY.id));

    // Assess
    expect(error.statusCode).toBe(404);
  });
});

describe('Function: handleWebhook (Telegram)', () => {
  const ON_TELEGRAM = communityConfig({
    id: 'tg-makers',
    platform: { kind: 'telegram', secretToken: 'tg-token', botToken: '1:A' },
  });
  const telegram = (payload: unknown, token = 'tg-token') =>
    request(JSON.stringify(payload), { 'x-telegram-bot-api-secret-token': token }, ON_TELEGRAM.id, 'telegram');
  const update = (updateId: number, userId: number) => ({
    update_id: updateId,
    message: {
      message_id: updateId,
      date: Math.floor(NOW.getTime() / 1000) - 60,
      chat: { id: -100, type: 'supergroup' },
      from: { id: userId, is_bot: false, first_name: 'Ada' },
      text: 'hi',
    },
  });

  beforeAll(async () => {
    await putCommunity(db, ON_TELEGRAM, NOW);
  });

  it('applies a message once; a redelivered update_id is a duplicate', async () => {
    // Act
    const first = await handleWebhook(deps, telegram(update(7001, 111)), NOW);
    const again = await handleWebhook(deps, telegram(update(7001, 111)), NOW);

    // Assess
    expect([first.accepted, again.duplicates]).toEqual([1, 1]);
    expect(await getMemberWithTotals(db, ON_TELEGRAM.id, '111')).toMatchObject({ name: 'Ada', messages: 1 });
  });

  it('refuses a wrong secret token with 401 and writes nothing', async () => {
    // Prepare
    const before = await snapshot();

    // Act
    const error = await rejection(telegram(update(7002, 222), 'not-the-token'));

    // Assess
    expect(error.statusCode).toBe(401);
    expect(await snapshot()).toEqual(before);
  });
});

describe('Function: handleWebhook (DingTalk)', () => {
  const ON_DINGTALK = communityConfig({ id: 'ding-makers', platform: { kind: 'dingtalk', appSecret: 'SECding' } });
  const dingtalk = (payload: unknown) => {
    const timestamp = String(NOW.getTime());
    return request(
      JSON.stringify(payload),
      { timestamp, sign: signDingTalk('SECding', timestamp) },
      ON_DINGTALK.id,
      'dingtalk',
    );
  };
  const mention = {
    msgId: 'msgDing1',
    msgtype: 'text',
    createAt: NOW.getTime() - 60_000,
    conversationId: 'cid1',
    senderStaffId: 'staff1',
    text: { content: ' hello' },
  };

  beforeAll(async () => {
    await putCommunity(db, ON_DINGTALK, NOW);
  });

  it('applies a mention once; a redelivered msgId is a duplicate', async () => {
    // Act
    const first = await handleWebhook(deps, dingtalk(mention), NOW);
    const again = await handleWebhook(deps, dingtalk(mention), NOW);

    // Assess
    expect([first.accepted, again.duplicates]).toEqual([1, 1]);
    expect(await getMemberWithTotals(db, ON_DINGTALK.id, 'staff1')).toMatchObject({ messages: 1 });
  });
});

describe('Function: handleWebhook (Feishu, encrypted)', () => {
  const KEY = 'lark-key';
  const ON_FEISHU = communityConfig({
    id: 'lark-makers',
    platform: { kind: 'feishu', encryptKey: KEY, verificationToken: 'vt', appId: 'cli_1', appSecret: 's' },
  });
  const sealed = (payload: unknown) => {
    const rawBody = JSON.stringify({ encrypt: encryptFeishu(KEY, JSON.stringify(payload), Buffer.alloc(16, 7)) });
    return request(
      rawBody,
      {
        'x-lark-request-timestamp': '1795600000',
        'x-lark-request-nonce': 'n',
        'x-lark-signature': signFeishu(KEY, '1795600000', 'n', rawBody),
      },
      ON_FEISHU.id,
      'feishu',
    );
  };
  const received = {
    schema: '2.0',
    header: {
      event_id: 'ev-lark-1',
      event_type: 'im.message.receive_v1',
      create_time: String(NOW.getTime() - 5_000),
      token: 'vt',
    },
    event: {
      sender: { sender_id: { open_id: 'ou_ada' }, sender_type: 'user' },
      message: { message_id: 'om_1', chat_id: 'oc_1', message_type: 'text', content: '{"text":"hi"}' },
    },
  };

  beforeAll(async () => {
    await putCommunity(db, ON_FEISHU, NOW);
  });

  it('decrypts, applies a message once, and a redelivered event_id is a duplicate', async () => {
    // Act
    const first = await handleWebhook(deps, sealed(received), NOW);
    const again = await handleWebhook(deps, sealed(received), NOW);

    // Assess
    expect([first.accepted, again.duplicates]).toEqual([1, 1]);
    expect(await getMemberWithTotals(db, ON_FEISHU.id, 'ou_ada')).toMatchObject({ messages: 1 });
  });
});

describe('Function: handleWebhook (WeCom)', () => {
  const AES_KEY = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
  const ON_WECOM = communityConfig({
    id: 'wecom-makers',
    platform: { kind: 'wecom', token: 'tok', encodingAesKey: AES_KEY, corpId: 'wwcorp' },
  });
  // Signed a few seconds before receipt, as WeCom stamps its callbacks.
  const SIGNED_AT = String(Math.floor(NOW.getTime() / 1000) - 3);
  const query = (encrypted: string) => ({
    msg_signature: getSignature('tok', SIGNED_AT, 'n1', encrypted),
    timestamp: SIGNED_AT,
    nonce: 'n1',
  });

  beforeAll(async () => {
    await putCommunity(db, ON_WECOM, NOW);
  });

  it('answers the GET URL check with the decrypted echostr once, keeping only that it did; a copy is 401', async () => {
    // Prepare
    const before = await snapshot();
    const check = (echostr: string, nonce = 'n1'): WebhookRequest => ({
      platform: 'wecom',
      communityId: ON_WECOM.id,
      method: 'GET',
      headers: {},
      query: { ...query(echostr), nonce, msg_signature: getSignature('tok', SIGNED_AT, nonce, echostr), echostr },
      rawBody: '',
    });
    const echostr = encrypt(AES_KEY, 'echo-42', 'wwcorp');

    // Act
    const outcome = await handleWebhook(deps, check(echostr), NOW);
    const copy = await rejection(check(echostr), new Date(NOW.getTime() + 60_000));
    const anew = await handleWebhook(deps, check(echostr, 'n2'), NOW);

    // Assess
    expect(outcome.reply).toEqual({ statusCode: 200, contentType: 'text/plain', body: 'echo-42' });
    expect(copy).toMatchObject({ statusCode: 401, field: 'msg_signature' });
    // WeCom checks the URL again with a new nonce (an admin saving the setting again): answered.
    expect(anew.reply.body).toBe('echo-42');
    const added = (await snapshot()).filter((line) => !before.includes(line));
    expect(added).toHaveLength(2);
    for (const line of added) {
      expect(line).toMatch(new RegExp(`^C#${ON_WECOM.id}#SEEN\\|wecom-url#[0-9a-f]{40}\\|`));
      // What is kept is the signature and when: no echostr, decrypted or not.
      expect(line).not.toContain('echo-42');
      expect(line).not.toContain(echostr);
    }
  });

  it('applies a customer-group join, publishes member.joined, and a WeCom retry is a duplicate', async () => {
    // Prepare
    const inner = `<xml><ToUserName>wwcorp</ToUserName><FromUserName>sys</FromUserName><CreateTime>${Math.floor(NOW.getTime() / 1000) - 30}</CreateTime><MsgType>event</MsgType><Event>change_external_chat</Event><ChatId>wrChat</ChatId><ChangeType>update</ChangeType><UpdateDetail>add_member</UpdateDetail><MemChangeList><Item>wmNew</Item></MemChangeList></xml>`;
    const encrypted = encrypt(AES_KEY, inner, 'wwcorp');
    const post = (): WebhookRequest => ({
      platform: 'wecom',
      communityId: ON_WECOM.id,
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      query: query(encrypted),
      rawBody: `<xml><ToUserName>wwcorp</ToUserName><Encrypt><![CDATA[${encrypted}]]></Encrypt></xml>`,
    });

    // Act
    const first = await handleWebhook(deps, post(), NOW);
    const retry = await handleWebhook(deps, post(), NOW);

    // Assess
    expect([first.accepted, retry.duplicates]).toEqual([1, 1]);
    expect(publisher.published.flat().map((e) => [e.type, e.memberId])).toEqual([['member.joined', 'wmNew']]);
    expect(await getMemberWithTotals(db, ON_WECOM.id, 'wmNew')).toMatchObject({ status: 'member', joins: 1 });
  });
});
