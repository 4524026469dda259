import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CommunityConfig, parseCommunityConfig } from '../../shared/domain/config';
import { putCommunity } from '../../shared/store/communities';
import { createDb, type Db } from '../../shared/store/db';
import { getMember } from '../../shared/store/members';
import { listOutbox } from '../../shared/store/outbox';
import {
  type FakePlatformApi,
  type RecordedRequest,
  startDingtalkApi,
  startDiscordApi,
  startFeishuApi,
  startSlackApi,
  startTelegramApi,
  startWecomApi,
} from '../support/fake-platform-apis';
import { hearthWith, type RunningStack, startStack } from '../support/local-stack';
import { PLATFORM_CONFIGS, type PlatformRequest, postedMessage } from '../support/platform-requests';

/**
 * Each chat platform end to end, as a user runs Hearth: `npm start`, a
 * community per platform whose `apiBaseUrl` points at a local server speaking
 * that platform's API, a member's `/birthday` command POSTed over HTTP as the
 * platform sends it (twice: platforms redeliver), and `npx hearth run
 * dispatch` answering through the platform's API. The stack's table is read
 * over its endpoint, as the CLI does.
 */

type Kind = 'slack' | 'telegram' | 'wecom' | 'feishu' | 'dingtalk' | 'discord';

interface Case {
  kind: Kind;
  memberId: string;
  /** The request on the fake API that carries the answer. */
  answer: (api: FakePlatformApi) => RecordedRequest | undefined;
  /** The text of that answer. */
  text: (request: RecordedRequest) => string;
  /** What the platform must receive as the webhook's own reply. */
  ack: (status: number, body: string) => void;
}

const ok = (status: number) => expect(status).toBe(200);

/** As talkative as the stack gets: every log level, and Powertools asked to log each whole event. */
const VERBOSE = { POWERTOOLS_LOG_LEVEL: 'DEBUG', POWERTOOLS_LOGGER_LOG_EVENT: 'true' };

/** The config fields that are secrets (the rest are ids a log line may name). */
const SECRET_FIELDS = new Set([
  'signingSecret',
  'botToken',
  'secretToken',
  'token',
  'encodingAesKey',
  'corpSecret',
  'robotKey',
  'encryptKey',
  'verificationToken',
  'appSecret',
  'robotToken',
  'publicKey',
]);

const CASES: Case[] = [
  {
    kind: 'slack',
    memberId: 'U0ADA',
    // Slash commands are answered in the member's DMs: the app opens the DM, then posts to it.
    answer: (api) => api.to('chat.postMessage').find((r) => r.body.channel === 'DU0ADA'),
    text: (r) => r.body.text,
    ack: (status, body) => {
      ok(status);
      expect(body).toBe('');
    },
  },
  {
    kind: 'telegram',
    memberId: '7000000001',
    answer: (api) => api.to('sendMessage').find((r) => String(r.body.chat_id) === PLATFORM_CONFIGS.telegram.chatId),
    text: (r) => r.body.text,
    ack: ok,
  },
  {
    kind: 'wecom',
    memberId: 'zhangsan',
    // Asked in the app (private): answered as an app message to the member, never in the robot's group.
    answer: (api) => api.to('/cgi-bin/message/send').find((r) => r.body.touser === 'zhangsan'),
    text: (r) => r.body.text.content,
    ack: ok,
  },
  {
    kind: 'feishu',
    memberId: 'ou_ada',
    answer: (api) => api.to('/open-apis/im/v1/messages').find((r) => r.body.receive_id === 'oc_general'),
    text: (r) => JSON.parse(r.body.content).text,
    ack: ok,
  },
  {
    kind: 'dingtalk',
    memberId: 'staff0001',
    answer: (api) => api.to('/robot/send')[0],
    text: (r) => r.body.text.content,
    ack: ok,
  },
  {
    kind: 'discord',
    memberId: '1500000000000000001',
    // The deferred reply is completed on the interaction's own webhook.
    answer: (api) => api.to('/messages/@original')[0],
    text: (r) => r.body.content,
    ack: (status, body) => {
      ok(status);
      expect(JSON.parse(body)).toEqual({ type: 5, data: { flags: 64 } });
    },
  },
];

describe('End to end: each chat platform over HTTP on the local stack', () => {
  let dataDir: string;
  let stack: RunningStack;
  let db: Db;
  let dispatched: { code: number; stdout: string; stderr: string };
  const apis = new Map<Kind, FakePlatformApi>();
  const communities = new Map<Kind, CommunityConfig>();
  const acks = new Map<Kind, Array<{ status: number; body: string }>>();
  const sent: PlatformRequest[] = [];

  beforeAll(async () => {
    const p = PLATFORM_CONFIGS;
    apis.set('slack', await startSlackApi({ botToken: p.slack.botToken, channels: [p.slack.channel] }));
    apis.set('telegram', await startTelegramApi({ botToken: p.telegram.botToken }));
    apis.set(
      'wecom',
      await startWecomApi({
        robotKey: p.wecom.robotKey,
        corpId: p.wecom.corpId,
        corpSecret: p.wecom.corpSecret,
        agentId: p.wecom.agentId,
      }),
    );
    apis.set('feishu', await startFeishuApi({ appId: p.feishu.appId, appSecret: p.feishu.appSecret }));
    apis.set('dingtalk', await startDingtalkApi({ robotToken: p.dingtalk.robotToken, secret: p.dingtalk.appSecret }));
    apis.set(
      'discord',
      await startDiscordApi({
        botToken: p.discord.botToken,
        applicationId: p.discord.applicationId,
        channels: [p.discord.channelId],
        interactions: CASES.map((_, i) => `interaction-token-${i + 1}`),
      }),
    );

    dataDir = await mkdtemp(join(tmpdir(), 'hearth-e2e-platforms-'));
    stack = await startStack(dataDir, VERBOSE);
    db = createDb({ table: stack.info.table, endpoint: stack.info.endpoint, region: 'local' });
    const origin = new URL(stack.info.webhookBaseUrl).origin;
    for (const [i, c] of CASES.entries()) {
      const community = parseCommunityConfig({
        id: `on-${c.kind}`,
        name: `Makers on ${c.kind}`,
        timezone: 'Asia/Shanghai',
        webhookSecret: 'whsec_e2e_platforms',
        platform: { ...PLATFORM_CONFIGS[c.kind], apiBaseUrl: apis.get(c.kind)?.baseUrl },
      });
      communities.set(c.kind, community);
      await putCommunity(db, community, new Date());
      const request = postedMessage(community, {
        seq: i + 1,
        memberId: c.memberId,
        name: 'Ada',
        text: '/birthday 03-14',
        at: new Date(),
      });
      const replies = [];
      for (let copy = 0; copy < 2; copy++) {
        sent.push(request);
        const response = await fetch(`${origin}${request.path}`, { ...request, body: request.body });
        replies.push({ status: response.status, body: await response.text() });
      }
      acks.set(c.kind, replies);
    }
    dispatched = await hearthWith(VERBOSE, dataDir, 'run', 'dispatch', '--json');
  }, 90_000);

  afterAll(async () => {
    db?.doc.destroy();
    await stack?.stop();
    for (const api of apis.values()) await api.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('delivers every answer in one dispatcher run, none failed', () => {
    // Assess
    expect(dispatched.code, dispatched.stderr).toBe(0);
    expect(JSON.parse(dispatched.stdout)).toMatchObject({ job: 'dispatch', sent: CASES.length, failed: 0 });
  });

  it.each(CASES.map((c) => [c.kind, c] as const))(
    '%s: a member’s /birthday is applied once and answered through the platform’s API',
    async (_kind, c) => {
      // Prepare
      const community = communities.get(c.kind) as CommunityConfig;
      const [first, again] = acks.get(c.kind) ?? [];

      // Assess
      c.ack(first.status, first.body);
      expect(again.status).toBe(200);
      expect(await getMember(db, community.id, c.memberId)).toMatchObject({ id: c.memberId, birthday: '03-14' });
      expect(await listOutbox(db, community.id)).toEqual([
        expect.objectContaining({ kind: 'reply', memberId: c.memberId, status: 'sent' }),
      ]);
      const answer = c.answer(apis.get(c.kind) as FakePlatformApi);
      expect(answer, JSON.stringify(apis.get(c.kind)?.requests)).toBeDefined();
      expect(c.text(answer as RecordedRequest)).toContain('03-14');
    },
  );

  it('logs no secret, signature, token or message text, at DEBUG with the whole event asked for', () => {
    // Prepare: every secret of every community, every signature and body sent, every member's text and answer.
    const secrets = [...communities.values()].flatMap((community) => [
      community.webhookSecret,
      ...Object.entries(community.platform)
        .filter(([field]) => SECRET_FIELDS.has(field))
        .map(([, value]) => String(value)),
    ]);
    const signatures = sent.flatMap((request) => [
      ...Object.entries(request.headers)
        .filter(([name]) => /sign|token|secret|auth/i.test(name))
        .map(([, value]) => value),
      ...[...new URL(request.path, 'http://x').searchParams]
        .filter(([name]) => /sign/i.test(name))
        .map(([, value]) => value),
    ]);
    const texts = [
      '/birthday 03-14',
      ...sent.map((request) => request.body),
      ...CASES.map((c) => c.text(c.answer(apis.get(c.kind) as FakePlatformApi) as RecordedRequest)),
    ];
    const logged = [stack.stdout(), stack.stderr(), dispatched.stdout, dispatched.stderr].join('\n');

    // Assess: the test saw what it scans for, and the stack did log at DEBUG.
    expect(signatures.length).toBeGreaterThanOrEqual(CASES.length);
    expect(logged).toContain('"level":"INFO"');
    for (const value of [...secrets, ...signatures, ...texts]) {
      expect(value.length).toBeGreaterThan(4);
      expect(logged.includes(value), `the log holds ${value.slice(0, 12)}…`).toBe(false);
    }
  });
});
