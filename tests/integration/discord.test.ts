import { spawn } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { relaySettings } from '../../cli/commands/discord-relay';
import { UsageError } from '../../cli/errors';
import type { Target } from '../../cli/target';
import { asLocalFunction, type LocalFunctions } from '../../infra/local/functions';
import { startHttpServer } from '../../infra/local/http';
import type { DomainEvent, EventPublisher } from '../../shared/events/domain-events';
import { WebhookForwarder } from '../../shared/platforms/discord/relay/forwarder';
import { discordGateway } from '../../shared/platforms/discord/relay/gateway';
import { Relay } from '../../shared/platforms/discord/relay/relay';
import { snowflakeAt } from '../../shared/platforms/discord/snowflake';
import { genericWebhookUrl } from '../../shared/platforms/generic/inbound';
import { literalSecrets } from '../../shared/runtime/secrets';
import { CommunityCache, putCommunity } from '../../shared/store/communities';
import type { Db } from '../../shared/store/db';
import { getMemberWithTotals } from '../../shared/store/members';
import { createWebhookHandler } from '../../shared/webhook/http';
import { handleWebhook, type PipelineDeps, type WebhookRequest } from '../../shared/webhook/pipeline';
import { freshTable } from '../support/dynamo';
import { type FakeDiscord, startFakeDiscord } from '../support/fake-discord';
import { communityConfig, hearthError } from '../support/fixtures';

const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const PUBLIC_KEY_HEX = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex');
const GUILD = '290926798626357999';
const TOKEN = 'MTE4MDAwMDAwMDAwMDAwMDAwMQ.fake.bot-token';
const SECRET = 'whsec_discord_integration';
const NOW = new Date('2026-11-25T17:30:00.000Z');

const ON_DISCORD = communityConfig({
  id: 'discordians',
  name: 'Discordians',
  timezone: 'UTC',
  webhookSecret: SECRET,
  platform: {
    kind: 'discord',
    publicKey: PUBLIC_KEY_HEX,
    applicationId: '1180000000000000001',
    botToken: TOKEN,
    guildId: GUILD,
  },
});
const ON_GENERIC = communityConfig({ id: 'generics', webhookSecret: 'whsec_generics' });

class RecordingPublisher implements EventPublisher {
  readonly published: DomainEvent[] = [];
  async publish(events: readonly DomainEvent[]): Promise<void> {
    this.published.push(...events);
  }
}

const metrics = { accepted: () => undefined, duplicates: () => undefined, rejected: () => undefined };
let db: Db;
let deps: PipelineDeps;

beforeAll(async () => {
  db = await freshTable('discord');
  await putCommunity(db, ON_DISCORD, NOW);
  await putCommunity(db, ON_GENERIC, NOW);
});

beforeEach(() => {
  deps = {
    db,
    communities: new CommunityCache(db),
    secrets: literalSecrets,
    publisher: new RecordingPublisher(),
    metrics,
  };
});

const msBefore = (at: Date, ms: number) => new Date(at.getTime() - ms);

/** A POST to the Discord interactions endpoint, signed as Discord signs it. */
function interaction(body: unknown, communityId = ON_DISCORD.id, at = NOW): WebhookRequest {
  const rawBody = JSON.stringify(body);
  const timestamp = String(Math.floor(at.getTime() / 1000));
  return {
    platform: 'discord',
    communityId,
    method: 'POST',
    query: {},
    rawBody,
    headers: {
      'content-type': 'application/json',
      'x-signature-ed25519': sign(null, Buffer.from(timestamp + rawBody), privateKey).toString('hex'),
      'x-signature-timestamp': timestamp,
    },
  };
}

const slashCommand = (id: string, name: string, options?: unknown[]) => ({
  id,
  application_id: '1180000000000000001',
  type: 2,
  token: `token-of-${id}`,
  version: 1,
  guild_id: GUILD,
  channel_id: '645027906669510667',
  member: { user: { id: '53908232506183680', username: 'mason', global_name: 'Mason' }, roles: [] },
  data: { id: '771825006014889984', name, type: 1, ...(options ? { options } : {}) },
});

const rejection = (request: WebhookRequest) => hearthError(() => handleWebhook(deps, request, NOW));

describe('Module: webhook pipeline on /webhooks/discord', () => {
  it('answers PING with PONG and stores nothing', async () => {
    // Act
    const outcome = await handleWebhook(deps, interaction({ type: 1, id: snowflakeAt(NOW, 1), token: 't' }), NOW);

    // Assess
    expect(outcome).toEqual({
      reply: { statusCode: 200, contentType: 'application/json', body: '{"type":1}' },
      accepted: 0,
      duplicates: 0,
    });
  });

  it('stores a slash command as the member’s command (not activity), deferred, and dedupes it by interaction id', async () => {
    // Prepare
    const id = snowflakeAt(msBefore(NOW, 800), 1);
    const request = interaction(slashCommand(id, 'birthday', [{ name: 'date', type: 3, value: '03-14' }]));

    // Act
    const first = await handleWebhook(deps, request, NOW);
    const again = await handleWebhook(deps, request, NOW);

    // Assess
    expect(first.accepted).toBe(1);
    expect(JSON.parse(first.reply.body)).toEqual({ type: 5, data: { flags: 64 } });
    expect(again).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(await getMemberWithTotals(db, ON_DISCORD.id, '53908232506183680')).toMatchObject({
      name: 'Mason',
      messages: 0,
    });
  });

  it('refuses a bad signature with 401 and writes nothing', async () => {
    // Prepare
    const request = interaction(slashCommand(snowflakeAt(msBefore(NOW, 500), 2), 'points'));
    const forged = { ...request, rawBody: request.rawBody.replace('53908232506183680', '53908232506183999') };

    // Act
    const error = await rejection(forged);

    // Assess
    expect(error.statusCode).toBe(401);
    expect(await getMemberWithTotals(db, ON_DISCORD.id, '53908232506183999')).toBeUndefined();
  });

  it('answers 404 for a community that is not on Discord', async () => {
    // Act
    const error = await rejection(interaction({ type: 1 }, ON_GENERIC.id));

    // Assess
    expect(error.statusCode).toBe(404);
  });
});

describe('Function: relaySettings', () => {
  const target = (mode: Target['mode'] = 'local-stack'): Target => ({
    db,
    mode,
    dataDir: '/tmp/hearth-test',
    webhookBaseUrl: 'http://127.0.0.1:4321/webhooks',
    close: async () => undefined,
  });

  it('reads the community’s Discord settings with its secrets, posting to the running stack by default', async () => {
    // Act
    const settings = await relaySettings(target(), { community: ON_DISCORD.id });

    // Assess
    expect(settings).toEqual({
      communityId: ON_DISCORD.id,
      applicationId: '1180000000000000001',
      guildId: GUILD,
      botToken: TOKEN,
      webhookSecret: SECRET,
      webhookUrl: 'http://127.0.0.1:4321/webhooks/generic/discordians',
    });
  });

  it('takes --url and --api-base-url over the defaults', async () => {
    // Act
    const settings = await relaySettings(target(), {
      community: ON_DISCORD.id,
      url: 'https://hearth.example.com',
      apiBaseUrl: 'http://127.0.0.1:9/api/v10',
    });

    // Assess
    expect(settings.webhookUrl).toBe('https://hearth.example.com/webhooks/generic/discordians');
    expect(settings.apiBaseUrl).toBe('http://127.0.0.1:9/api/v10');
  });

  it.each([
    ['no --community', {}, '--community'],
    ['an unknown community', { community: 'nobody' }, 'no community "nobody"'],
    ['a community not on Discord', { community: ON_GENERIC.id }, 'platform.kind'],
    ['a --url that is not http', { community: ON_DISCORD.id, url: 'ftp://x' }, '--url'],
  ])('refuses %s with a usage error naming it', async (_what, flags, message) => {
    await expect(relaySettings(target(), flags)).rejects.toThrow(UsageError);
    await expect(relaySettings(target(), flags)).rejects.toThrow(message);
  });

  it('needs --url against AWS, where no local stack says where Hearth listens', async () => {
    await expect(
      relaySettings({ ...target('aws'), webhookBaseUrl: undefined }, { community: ON_DISCORD.id }),
    ).rejects.toThrow('--url is needed against AWS');
  });

  it('resolves ssm: references only against AWS, through SSM under the secrets prefix', async () => {
    // Prepare
    const withRef = communityConfig({
      id: 'discord-ssm',
      webhookSecret: 'ssm:/elsewhere/webhook',
      platform: { ...ON_DISCORD.platform, botToken: 'ssm:/elsewhere/bot-token' },
    });
    await putCommunity(db, withRef, NOW);

    // Act: one after the other, so neither rejection is left unawaited while the other runs.
    const local = await relaySettings(target(), { community: withRef.id }).catch((error: unknown) => error);
    // The prefix check comes before any call to AWS, so this proves SSM is asked without reaching it.
    const aws = await relaySettings(
      { ...target('aws'), webhookBaseUrl: undefined },
      { community: withRef.id, url: 'https://api.example.com' },
      { SECRETS_PARAMETER_PREFIX: '/hearth/' },
    ).catch((error: unknown) => error);

    // Assess
    expect((local as Error).message).toMatch(/platform\.botToken: SSM secret references need AWS/);
    expect((aws as Error).message).toBe('platform.botToken: secret parameter must be under /hearth/');
    expect(aws).toBeInstanceOf(UsageError);
  });
});

describe('Relay end to end: fake Discord Gateway → relay → generic webhook → store', () => {
  let discord: FakeDiscord;
  let hearth: Server;
  let hearthUrl: string;

  beforeAll(async () => {
    discord = await startFakeDiscord({ token: TOKEN });
    // The local runtime's own HTTP server, in front of the webhook handler the Lambda exports.
    // `deps` is made anew before each test, so the handler is built per request.
    const webhook = asLocalFunction('webhook', createWebhookHandler(deps));
    hearth = await startHttpServer({ webhook } as LocalFunctions, 0);
    hearthUrl = `http://127.0.0.1:${(hearth.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await discord.close();
    hearth.closeAllConnections();
    await new Promise<void>((resolve) => hearth.close(() => resolve()));
  });

  it('counts a join, a reply and a reaction sent over the Gateway, once each', async () => {
    // Prepare
    const now = new Date();
    const relay = new Relay({
      gateway: discordGateway({ token: TOKEN, apiBaseUrl: discord.apiBaseUrl }),
      forwarder: new WebhookForwarder({ url: genericWebhookUrl(hearthUrl, ON_DISCORD.id), secret: SECRET }),
      guildId: GUILD,
    });
    const running = relay.run();
    await discord.identified();
    const user = (id: string, username: string) => ({ id, username, global_name: null, discriminator: '0' });
    const ada = user('80351110224678912', 'ada');
    const bo = user('80351110224678913', 'bo');
    const first = snowflakeAt(msBefore(now, 60_000), 1);
    const reply = snowflakeAt(msBefore(now, 30_000), 2);

    // Act
    for (const member of [ada, bo]) {
      discord.dispatch('GUILD_MEMBER_ADD', {
        guild_id: GUILD,
        user: member,
        roles: [],
        joined_at: new Date(now.getTime() - 120_000).toISOString(),
        deaf: false,
        mute: false,
        flags: 0,
      });
    }
    const posted = (id: string, author: object, extra: object = {}) => ({
      id,
      channel_id: '645027906669510667',
      guild_id: GUILD,
      author,
      content: 'hello',
      timestamp: new Date(now.getTime() - 1000).toISOString(),
      type: 0,
      ...extra,
    });
    discord.dispatch('MESSAGE_CREATE', posted(first, ada));
    discord.dispatch(
      'MESSAGE_CREATE',
      posted(reply, bo, { type: 19, message_reference: { message_id: first }, referenced_message: posted(first, ada) }),
    );
    const reaction = { user_id: ada.id, message_id: reply, guild_id: GUILD, emoji: { id: null, name: '👍' } };
    discord.dispatch('MESSAGE_REACTION_ADD', { ...reaction, message_author_id: bo.id, channel_id: '1', burst: false });
    // The same reaction again (as a reconnect could replay it) is applied once.
    discord.dispatch('MESSAGE_REACTION_ADD', { ...reaction, message_author_id: bo.id, channel_id: '1', burst: false });
    await expect.poll(() => relay.counts.relayed, { timeout: 10_000 }).toBe(6);
    await relay.stop();
    await running;

    // Assess
    expect(relay.counts).toMatchObject({ relayed: 6, rejected: 0, failed: 0 });
    expect(await getMemberWithTotals(db, ON_DISCORD.id, ada.id)).toMatchObject({
      status: 'member',
      name: 'ada',
      joins: 1,
      messages: 1,
      replies: 0,
      reactions: 1,
    });
    expect(await getMemberWithTotals(db, ON_DISCORD.id, bo.id)).toMatchObject({ messages: 1, replies: 1 });
  });

  it('runs as `npx hearth discord-relay` until SIGTERM, then exits 0 having logged no secret', async () => {
    // Prepare: the CLI reads the community from this table, as it would from AWS (HEARTH_TABLE).
    const root = join(import.meta.dirname, '..', '..');
    const child = spawn(
      process.execPath,
      [
        join(root, 'bin', 'hearth.js'),
        'discord-relay',
        '--community',
        ON_DISCORD.id,
        '--url',
        hearthUrl,
        '--api-base-url',
        discord.apiBaseUrl,
      ],
      {
        cwd: root,
        env: { ...process.env, HEARTH_TABLE: db.table, DYNAMODB_ENDPOINT: inject('dynamoEndpoint') },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
    const memberId = '80351110224678999';
    try {
      const identifiedBefore = discord.identifies.length;
      const deadline = Date.now() + 20_000;
      while (discord.identifies.length === identifiedBefore && Date.now() < deadline && child.exitCode === null) {
        await new Promise((r) => setTimeout(r, 50));
      }

      // Act
      discord.dispatch('GUILD_MEMBER_ADD', {
        guild_id: GUILD,
        user: { id: memberId, username: 'cy', global_name: 'Cy', discriminator: '0' },
        roles: [],
        joined_at: new Date().toISOString(),
        deaf: false,
        mute: false,
        flags: 0,
      });
      while (!(await getMemberWithTotals(db, ON_DISCORD.id, memberId)) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      child.kill('SIGTERM');
      const [code] = await exited;

      // Assess
      expect(code, stderr).toBe(0);
      expect(await getMemberWithTotals(db, ON_DISCORD.id, memberId)).toMatchObject({ name: 'Cy', joins: 1 });
      const lines = stderr
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { message: string });
      expect(lines.map((line) => line.message)).toEqual(
        expect.arrayContaining(['connected to the Discord Gateway', 'stopping the relay', 'relay stopped']),
      );
      expect(stderr).not.toContain(TOKEN);
      expect(stderr).not.toContain(SECRET);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
