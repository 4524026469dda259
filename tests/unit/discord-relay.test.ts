import { EventEmitter, once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerSlashCommands, runRelay } from '../../cli/commands/discord-relay';
import { COMMAND_NAMES } from '../../shared/domain/commands';
import type { InboundEvent } from '../../shared/domain/events';
import { registerCommandsRequest, SLASH_COMMANDS } from '../../shared/platforms/discord/relay/commands';
import {
  type EventForwarder,
  type ForwardOutcome,
  WebhookForwarder,
} from '../../shared/platforms/discord/relay/forwarder';
import { discordGateway, type Gateway, type GatewayDispatch } from '../../shared/platforms/discord/relay/gateway';
import { InviteTracker } from '../../shared/platforms/discord/relay/invites';
import { type RelayLog, silentLog } from '../../shared/platforms/discord/relay/log';
import { eventFromDispatch, Relay } from '../../shared/platforms/discord/relay/relay';
import { discordRest } from '../../shared/platforms/discord/relay/rest';
import { adapter as genericAdapter, genericWebhookUrl } from '../../shared/platforms/generic/inbound';
import { literalSecrets } from '../../shared/runtime/secrets';
import { type FakeDiscord, startFakeDiscord } from '../support/fake-discord';
import { communityConfig } from '../support/fixtures';

const GUILD = '290926798626357999';
const OTHER_GUILD = '81384788765712384';
const NOW = new Date('2026-11-25T10:00:07.250Z');
const SECRET = 'whsec_discord_relay';
const COMMUNITY = communityConfig({ id: 'makers', webhookSecret: SECRET });
const TOKEN = 'MTE4MDAwMDAwMDAwMDAwMDAwMQ.fake.bot-token';

const ada = { id: '80351110224678912', username: 'ada', global_name: 'Ada L.', avatar: null, discriminator: '0' };
const bo = { id: '80351110224678913', username: 'bo_k', global_name: null, avatar: null, discriminator: '0' };
const hearthBot = { id: '1180000000000000001', username: 'hearth', discriminator: '0', avatar: null, bot: true };

/** GUILD_MEMBER_ADD data: a guild member object plus guild_id, as documented. */
const memberAdd = (user: object, extra: object = {}) => ({
  guild_id: GUILD,
  user,
  nick: null,
  avatar: null,
  roles: [],
  joined_at: '2026-11-25T09:59:58.123456+00:00',
  premium_since: null,
  deaf: false,
  mute: false,
  flags: 0,
  pending: false,
  ...extra,
});

/** MESSAGE_CREATE data: a message object plus guild_id and member. */
const message = (extra: object = {}) => ({
  id: '1310600000000000001',
  channel_id: '645027906669510667',
  guild_id: GUILD,
  author: ada,
  member: { roles: [], joined_at: '2025-01-01T00:00:00.000000+00:00', deaf: false, mute: false, flags: 0 },
  content: 'good morning all',
  timestamp: '2026-11-25T09:59:30.500000+00:00',
  edited_timestamp: null,
  tts: false,
  mention_everyone: false,
  mentions: [],
  mention_roles: [],
  attachments: [],
  embeds: [],
  pinned: false,
  type: 0,
  flags: 0,
  ...extra,
});

/** MESSAGE_REACTION_ADD data, as documented. */
const reaction = (extra: object = {}) => ({
  user_id: bo.id,
  channel_id: '645027906669510667',
  message_id: '1310600000000000001',
  guild_id: GUILD,
  member: { user: bo, roles: [], joined_at: '2025-01-01T00:00:00.000000+00:00', deaf: false, mute: false, flags: 0 },
  emoji: { id: null, name: '🔥' },
  message_author_id: ada.id,
  burst: false,
  burst_colors: [],
  type: 0,
  ...extra,
});

const map = (t: string, d: unknown) => eventFromDispatch({ t, d }, { guildId: GUILD }, NOW);

describe('Function: eventFromDispatch', () => {
  it('turns GUILD_MEMBER_ADD into member.joined at joined_at, keyed by guild, user and joined_at', () => {
    // Act
    const event = map('GUILD_MEMBER_ADD', memberAdd(ada));

    // Assess
    expect(event).toEqual({
      id: `discord:join:${GUILD}:${ada.id}:2026-11-25T09:59:58.123Z`,
      type: 'member.joined',
      occurredAt: '2026-11-25T09:59:58.123Z',
      member: { id: ada.id, name: 'Ada L.' },
    });
    // Discord may send the add again for a member already in: the same id, so it dedupes.
    expect(map('GUILD_MEMBER_ADD', memberAdd(ada))?.id).toBe(event?.id);
  });

  it('marks a bot that joins, and names a user without a display name by username', () => {
    expect(map('GUILD_MEMBER_ADD', memberAdd(hearthBot))?.member).toEqual({
      id: hearthBot.id,
      name: 'hearth',
      isBot: true,
    });
    expect(map('GUILD_MEMBER_ADD', memberAdd(bo))?.member).toEqual({ id: bo.id, name: 'bo_k' });
  });

  it('turns GUILD_MEMBER_REMOVE into member.left at the second it was seen', () => {
    // Act
    const event = map('GUILD_MEMBER_REMOVE', { guild_id: GUILD, user: ada });

    // Assess
    expect(event).toEqual({
      id: `discord:leave:${GUILD}:${ada.id}:${Math.floor(NOW.getTime() / 1000)}`,
      type: 'member.left',
      occurredAt: '2026-11-25T10:00:07.000Z',
      member: { id: ada.id },
    });
  });

  it('turns MESSAGE_CREATE into message.posted at its timestamp, without the text of an ordinary message', () => {
    // Act
    const event = map('MESSAGE_CREATE', message());

    // Assess
    expect(event).toEqual({
      id: 'discord:msg:1310600000000000001',
      type: 'message.posted',
      occurredAt: '2026-11-25T09:59:30.500Z',
      member: { id: ada.id, name: 'Ada L.' },
      channelId: '645027906669510667',
    });
  });

  it('forwards the text of a command typed as a message', () => {
    expect(map('MESSAGE_CREATE', message({ content: '/birthday 03-14' }))).toEqual(
      expect.objectContaining({ text: '/birthday 03-14' }),
    );
  });

  it('makes a reply a reply to the author of the message it answers', () => {
    // Act
    const reply = map(
      'MESSAGE_CREATE',
      message({
        id: '1310600000000000002',
        author: bo,
        type: 19,
        message_reference: {
          type: 0,
          message_id: '1310600000000000001',
          channel_id: '645027906669510667',
          guild_id: GUILD,
        },
        referenced_message: message(),
      }),
    );
    const forward = map(
      'MESSAGE_CREATE',
      message({ id: '1310600000000000003', message_reference: { type: 1, message_id: '1', channel_id: '2' } }),
    );
    const toDeleted = map(
      'MESSAGE_CREATE',
      message({
        id: '1310600000000000004',
        type: 19,
        message_reference: { message_id: '1' },
        referenced_message: null,
      }),
    );

    // Assess
    expect(reply).toEqual(expect.objectContaining({ member: { id: bo.id, name: 'bo_k' }, replyTo: ada.id }));
    expect(forward).toBeDefined();
    expect(forward).not.toHaveProperty('replyTo');
    expect(toDeleted).toBeDefined();
    expect(toDeleted).not.toHaveProperty('replyTo');
  });

  it("marks a bot's message as a bot's", () => {
    expect(map('MESSAGE_CREATE', message({ author: hearthBot }))?.member).toEqual(
      expect.objectContaining({ id: hearthBot.id, isBot: true }),
    );
  });

  it('turns MESSAGE_REACTION_ADD into reaction.added to the message author, keyed by message, user and emoji', () => {
    // Act
    const standard = map('MESSAGE_REACTION_ADD', reaction());
    const custom = map('MESSAGE_REACTION_ADD', reaction({ emoji: { id: '41771983429993937', name: 'LUL' } }));

    // Assess
    expect(standard).toEqual({
      id: `discord:react:1310600000000000001:${bo.id}:🔥`,
      type: 'reaction.added',
      occurredAt: NOW.toISOString(),
      member: { id: bo.id, name: 'bo_k' },
      toMemberId: ada.id,
      messageId: '1310600000000000001',
    });
    expect(custom?.id).toBe(`discord:react:1310600000000000001:${bo.id}:41771983429993937`);
  });

  it.each([
    [
      'a reaction whose message author is not given',
      'MESSAGE_REACTION_ADD',
      reaction({ message_author_id: undefined }),
    ],
    ['a member of another guild', 'GUILD_MEMBER_ADD', memberAdd(ada, { guild_id: OTHER_GUILD })],
    ['a leave from another guild', 'GUILD_MEMBER_REMOVE', { guild_id: OTHER_GUILD, user: ada }],
    ['a message in another guild', 'MESSAGE_CREATE', message({ guild_id: OTHER_GUILD })],
    ['a reaction in another guild', 'MESSAGE_REACTION_ADD', reaction({ guild_id: OTHER_GUILD })],
    ['a DM to the bot', 'MESSAGE_CREATE', message({ guild_id: undefined, member: undefined })],
    ['a webhook message', 'MESSAGE_CREATE', message({ webhook_id: '223704706495545344' })],
    ['a system "user joined" message', 'MESSAGE_CREATE', message({ type: 7, content: '' })],
    ['an event Hearth does not use', 'TYPING_START', { channel_id: '1', user_id: ada.id, timestamp: 1 }],
    ['a payload of the wrong shape', 'MESSAGE_CREATE', { id: 'not-a-snowflake' }],
  ])('skips %s', (_what, t, d) => {
    expect(map(t, d)).toBeUndefined();
  });

  it('takes every guild when the community names none', () => {
    const anyGuild = (d: unknown) => eventFromDispatch({ t: 'MESSAGE_CREATE', d }, {}, NOW);
    expect(anyGuild(message({ guild_id: OTHER_GUILD }))).toBeDefined();
    expect(anyGuild(message({ guild_id: undefined }))).toBeUndefined();
  });
});

/** A Hearth stand-in that answers each POST with the next scripted reply, then 200. */
interface Receiver {
  url: string;
  requests: Array<{ headers: Record<string, string | undefined>; body: string }>;
  close(): Promise<void>;
}

async function startReceiver(
  replies: Array<{ status: number; headers?: Record<string, string>; body?: string }> = [],
): Promise<Receiver> {
  const requests: Receiver['requests'] = [];
  const server: Server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    requests.push({
      headers: request.headers as Record<string, string | undefined>,
      body: Buffer.concat(chunks).toString(),
    });
    const reply = replies.shift() ?? { status: 200, body: '{"ok":true}' };
    response.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
    response.end(reply.body ?? '{}');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: genericWebhookUrl(`http://127.0.0.1:${port}`, COMMUNITY.id),
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Whether Hearth's generic webhook would accept this request, and the event it would read. */
async function hearthAccepts(request: Receiver['requests'][number], now = new Date()) {
  const inbound = { method: 'POST', headers: request.headers, query: {}, rawBody: request.body };
  const context = { community: COMMUNITY, secrets: literalSecrets, now };
  await genericAdapter.verify(inbound, context);
  return genericAdapter.parse(inbound, context).events[0];
}

const recordingLog = () => {
  const lines: Array<[string, string, Record<string, unknown> | undefined]> = [];
  const log: RelayLog = (level, message, fields) => lines.push([level, message, fields]);
  return { lines, log };
};

const JOINED = eventFromDispatch({ t: 'GUILD_MEMBER_ADD', d: memberAdd(ada) }, { guildId: GUILD }, NOW) as InboundEvent;
const COMMAND = eventFromDispatch(
  { t: 'MESSAGE_CREATE', d: message({ content: '/timezone Europe/Berlin' }) },
  { guildId: GUILD },
  NOW,
) as InboundEvent;

describe('Class: WebhookForwarder', () => {
  let receiver: Receiver | undefined;
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });

  it('posts the event signed with the webhook secret, as the generic webhook verifies it', async () => {
    // Prepare
    receiver = await startReceiver();
    const forwarder = new WebhookForwarder({ url: receiver.url, secret: SECRET });

    // Act
    const outcome = await forwarder.forward(COMMAND);

    // Assess
    expect(outcome).toBe('relayed');
    expect(receiver.requests).toHaveLength(1);
    expect(await hearthAccepts(receiver.requests[0])).toEqual(COMMAND);
  });

  it('retries a 503 after its Retry-After, signing again, then stops at the 200', async () => {
    // Prepare
    receiver = await startReceiver([{ status: 503, headers: { 'retry-after': '2' }, body: '{"error":"unavailable"}' }]);
    const waits: number[] = [];
    const forwarder = new WebhookForwarder({
      url: receiver.url,
      secret: SECRET,
      sleep: async (ms) => {
        waits.push(ms);
        return true;
      },
    });

    // Act
    const outcome = await forwarder.forward(JOINED);

    // Assess
    expect(outcome).toBe('relayed');
    expect(waits).toEqual([2000]);
    expect(receiver.requests).toHaveLength(2);
    expect(receiver.requests[1].body).toBe(receiver.requests[0].body);
    for (const request of receiver.requests) expect(await hearthAccepts(request)).toEqual(JOINED);
  });

  it('backs off exponentially on 429 and 500 without Retry-After, and gives up after maxAttempts', async () => {
    // Prepare
    receiver = await startReceiver([{ status: 429 }, { status: 500 }, { status: 502 }]);
    const waits: number[] = [];
    const { lines, log } = recordingLog();
    const forwarder = new WebhookForwarder({
      url: receiver.url,
      secret: SECRET,
      maxAttempts: 3,
      baseDelayMs: 100,
      random: () => 1,
      log,
      sleep: async (ms) => {
        waits.push(ms);
        return true;
      },
    });

    // Act
    const outcome = await forwarder.forward(JOINED);

    // Assess
    expect(outcome).toBe('failed');
    expect(receiver.requests).toHaveLength(3);
    expect(waits).toEqual([100, 200]);
    expect(lines.at(-1)).toEqual([
      'error',
      'gave up relaying an event',
      { eventId: JOINED.id, type: 'member.joined', attempts: 3, reason: 'HTTP 502' },
    ]);
  });

  it('does not retry a 400, and logs its status and field but never the event text', async () => {
    // Prepare
    receiver = await startReceiver([
      {
        status: 400,
        body: '{"error":"bad_request","message":"text: too long /timezone Europe/Berlin","field":"text"}',
      },
    ]);
    const { lines, log } = recordingLog();
    const forwarder = new WebhookForwarder({ url: receiver.url, secret: SECRET, log });

    // Act
    const outcome = await forwarder.forward(COMMAND);

    // Assess
    expect(outcome).toBe('rejected');
    expect(receiver.requests).toHaveLength(1);
    expect(lines).toEqual([
      [
        'warn',
        'Hearth refused a relayed event; not retrying',
        { eventId: COMMAND.id, type: 'message.posted', status: 400, error: 'bad_request', field: 'text' },
      ],
    ]);
    expect(JSON.stringify(lines)).not.toContain('Europe/Berlin');
    expect(JSON.stringify(lines)).not.toContain(SECRET);
  });

  it('retries when Hearth cannot be reached, naming the network error', async () => {
    // Prepare: a port that was just free.
    const closed = await startReceiver();
    const url = closed.url;
    await closed.close();
    const { lines, log } = recordingLog();
    const forwarder = new WebhookForwarder({ url, secret: SECRET, maxAttempts: 2, log, sleep: async () => true });

    // Act
    const outcome = await forwarder.forward(JOINED);

    // Assess
    expect(outcome).toBe('failed');
    expect(lines[0]).toEqual([
      'warn',
      'relaying an event failed; retrying',
      expect.objectContaining({ reason: 'network error ECONNREFUSED' }),
    ]);
  });

  it('stops waiting between attempts when aborted', async () => {
    // Prepare
    receiver = await startReceiver([{ status: 503, headers: { 'retry-after': '60' } }]);
    const forwarder = new WebhookForwarder({ url: receiver.url, secret: SECRET });
    const abort = new AbortController();

    // Act
    const pending = forwarder.forward(JOINED, abort.signal);
    await new Promise((resolve) => setTimeout(resolve, 100));
    abort.abort();

    // Assess
    expect(await pending).toBe('aborted');
    expect(receiver.requests).toHaveLength(1);
  });
});

describe('Function: genericWebhookUrl', () => {
  it.each([
    ['http://127.0.0.1:3000', 'http://127.0.0.1:3000/webhooks/generic/makers'],
    ['http://127.0.0.1:3000/webhooks', 'http://127.0.0.1:3000/webhooks/generic/makers'],
    ['https://api.example.com/prod/', 'https://api.example.com/prod/webhooks/generic/makers'],
  ])('puts the generic webhook of a community under %s', (base, url) => {
    expect(genericWebhookUrl(base, 'makers')).toBe(url);
  });
});

/** A gateway the test drives by hand. */
class ManualGateway implements Gateway {
  private dispatchListener: (dispatch: GatewayDispatch) => void = () => undefined;
  private fatalListener: (error: Error) => void = () => undefined;
  connected = false;
  destroyed = false;
  onDispatch(listener: (dispatch: GatewayDispatch) => void) {
    this.dispatchListener = listener;
  }
  onFatal(listener: (error: Error) => void) {
    this.fatalListener = listener;
  }
  async connect() {
    this.connected = true;
  }
  async destroy() {
    this.destroyed = true;
  }
  emit(t: string, d: unknown) {
    this.dispatchListener({ t, d });
  }
  fail(error: Error) {
    this.fatalListener(error);
  }
}

/** A forwarder that records events and holds each until released (or answers at once). */
class RecordingForwarder implements EventForwarder {
  readonly forwarded: InboundEvent[] = [];
  private gate: Promise<void> = Promise.resolve();
  private open: () => void = () => undefined;
  hold() {
    this.gate = new Promise((resolve) => {
      this.open = resolve;
    });
  }
  release() {
    this.open();
  }
  async forward(event: InboundEvent, signal?: AbortSignal): Promise<ForwardOutcome> {
    await Promise.race([this.gate, new Promise((resolve) => signal?.addEventListener('abort', resolve))]);
    if (signal?.aborted) return 'aborted';
    this.forwarded.push(event);
    return 'relayed';
  }
}

describe('Class: Relay', () => {
  it('forwards what Hearth counts in the order it came, and drains the queue on stop', async () => {
    // Prepare
    const gateway = new ManualGateway();
    const forwarder = new RecordingForwarder();
    const relay = new Relay({ gateway, forwarder, guildId: GUILD, clock: () => NOW });
    const running = relay.run();
    forwarder.hold();

    // Act
    gateway.emit('GUILD_MEMBER_ADD', memberAdd(ada));
    gateway.emit('TYPING_START', { channel_id: '1', user_id: ada.id });
    gateway.emit('MESSAGE_CREATE', message({ guild_id: OTHER_GUILD }));
    gateway.emit('MESSAGE_CREATE', message());
    gateway.emit('MESSAGE_REACTION_ADD', reaction());
    const stopped = relay.stop();
    forwarder.release();
    await stopped;
    await running;

    // Assess
    expect(gateway.connected).toBe(true);
    expect(gateway.destroyed).toBe(true);
    expect(forwarder.forwarded.map((e) => e.type)).toEqual(['member.joined', 'message.posted', 'reaction.added']);
    expect(relay.counts).toEqual({ relayed: 3, rejected: 0, failed: 0, dropped: 0, unsent: 0 });
  });

  it('drops events past its queue bound, and gives up on what is queued after the grace period', async () => {
    // Prepare
    const gateway = new ManualGateway();
    const forwarder = new RecordingForwarder();
    const { lines, log } = recordingLog();
    const relay = new Relay({ gateway, forwarder, maxQueue: 2, graceMs: 20, log });
    const running = relay.run();
    forwarder.hold();

    // Act
    for (let i = 1; i <= 5; i++) gateway.emit('MESSAGE_CREATE', message({ id: `131060000000000010${i}` }));
    await relay.stop();
    await running;

    // Assess
    expect(forwarder.forwarded).toEqual([]);
    expect(relay.counts).toEqual({ relayed: 0, rejected: 0, failed: 0, dropped: 3, unsent: 2 });
    expect(lines.filter(([, m]) => m === 'relay queue is full; dropping events')).toHaveLength(1);
  });

  it('ends run() with a fatal Gateway error, closing the Gateway', async () => {
    // Prepare
    const gateway = new ManualGateway();
    const relay = new Relay({ gateway, forwarder: new RecordingForwarder() });
    const running = relay.run();

    // Act
    gateway.fail(new Error('Discord refused the bot token'));

    // Assess
    await expect(running).rejects.toThrow('Discord refused the bot token');
    expect(gateway.destroyed).toBe(true);
  });
});

describe('Class: InviteTracker', () => {
  const invite = (code: string, uses: number, inviter: { id: string } | null, max_uses = 0) => ({
    code,
    uses,
    max_uses,
    inviter,
  });

  it('puts a join down to the one invite whose uses went up by one, and to none when two did', async () => {
    // Prepare
    let list: unknown[] = [invite('aaa', 3, ada), invite('bbb', 0, bo), invite('last', 4, bo, 5)];
    const tracker = new InviteTracker(async () => list, silentLog);
    await tracker.prime(GUILD);

    // Act
    list = [invite('aaa', 4, ada), invite('bbb', 0, bo), invite('last', 4, bo, 5)];
    const first = await tracker.used(GUILD);
    list = [invite('aaa', 5, ada), invite('bbb', 1, bo), invite('last', 4, bo, 5)];
    const both = await tracker.used(GUILD);
    // A last-use invite disappears with its final use.
    list = [invite('aaa', 5, ada), invite('bbb', 1, bo)];
    const vanished = await tracker.used(GUILD);
    // A new invite, made and used between two joins.
    list = [invite('aaa', 5, ada), invite('bbb', 1, bo), invite('new', 1, ada)];
    const fresh = await tracker.used(GUILD);

    // Assess
    expect(first).toEqual({ code: 'aaa', inviterId: ada.id });
    expect(both).toBeUndefined();
    expect(vanished).toEqual({ code: 'last', inviterId: bo.id });
    expect(fresh).toEqual({ code: 'new', inviterId: ada.id });
  });

  it('attributes nothing before it knows the counts, or when Discord will not list the invites', async () => {
    // Prepare
    const { log, lines } = recordingLog();
    const unprimed = new InviteTracker(async () => [invite('aaa', 1, ada)], log);
    const refused = new InviteTracker(async () => {
      throw new Error('discord: GET /guilds/1/invites answered 403');
    }, log);

    // Act
    const first = await unprimed.used(GUILD);
    await refused.prime(GUILD);
    const none = await refused.used(GUILD);
    await refused.used(GUILD);

    // Assess
    expect(first).toBeUndefined();
    expect(none).toBeUndefined();
    expect(lines.filter(([level]) => level === 'warn')).toHaveLength(1);
  });
});

describe('Class: Relay, with invites', () => {
  it('forwards a join as a probable referral by the inviter of the invite it used, in order with the rest', async () => {
    // Prepare
    let list: unknown[] = [{ code: 'aaa', uses: 0, max_uses: 0, inviter: { id: bo.id } }];
    const gateway = new ManualGateway();
    const forwarder = new RecordingForwarder();
    const invites = new InviteTracker(async () => list, silentLog);
    const relay = new Relay({ gateway, forwarder, guildId: GUILD, clock: () => NOW, invites });
    const running = relay.run();
    gateway.emit('GUILD_CREATE', { id: GUILD });
    await invites.prime(GUILD);

    // Act
    list = [{ code: 'aaa', uses: 1, max_uses: 0, inviter: { id: bo.id } }];
    gateway.emit('GUILD_MEMBER_ADD', memberAdd(ada));
    gateway.emit('MESSAGE_CREATE', message());
    await relay.stop();
    await running;

    // Assess
    expect(forwarder.forwarded.map((e) => e.type)).toEqual(['member.joined', 'message.posted']);
    expect(forwarder.forwarded[0]).toMatchObject({ invitedBy: bo.id, referralConfidence: 'probable' });
    expect(forwarder.forwarded[0]).not.toHaveProperty('referralCode');
  });
});

describe('Relay over @discordjs/ws against a fake Discord', () => {
  let discord: FakeDiscord;
  let receiver: Receiver;
  beforeEach(async () => {
    discord = await startFakeDiscord({ token: TOKEN, heartbeatIntervalMs: 250 });
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await receiver.close();
    await discord.close();
  });
  /** The relay's settings, pointed at the fake Discord and the receiver. */
  const settings = () => ({
    communityId: COMMUNITY.id,
    applicationId: '1180000000000000001',
    guildId: GUILD,
    apiBaseUrl: discord.apiBaseUrl,
    botToken: TOKEN,
    webhookSecret: SECRET,
    webhookUrl: receiver.url,
  });

  it('identifies with the token and intents, and forwards a GUILD_MEMBER_ADD as a signed member.joined', async () => {
    // Prepare
    const { log, lines } = recordingLog();
    const signals = new EventEmitter();
    const running = runRelay(settings(), { log, signals });
    await discord.identified();

    // Act
    discord.dispatch('GUILD_MEMBER_ADD', memberAdd(ada));
    const deadline = Date.now() + 5000;
    while ((receiver.requests.length === 0 || discord.heartbeats === 0) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    signals.emit('SIGTERM');
    const relay = await running;

    // Assess
    expect(discord.requests[0]).toEqual(
      expect.objectContaining({ method: 'GET', path: '/api/v10/gateway/bot', authorization: `Bot ${TOKEN}` }),
    );
    expect(discord.connections[0].get('v')).toBe('10');
    expect(discord.connections[0].get('encoding')).toBe('json');
    // GUILDS, GUILD_MEMBERS, GUILD_MESSAGES, GUILD_MESSAGE_REACTIONS and MESSAGE_CONTENT, as Discord numbers them.
    expect(discord.identifies).toEqual([
      expect.objectContaining({ token: TOKEN, intents: 1 | 2 | 512 | 1024 | 32768 }),
    ]);
    expect(discord.heartbeats).toBeGreaterThan(0);
    expect(receiver.requests).toHaveLength(1);
    expect(await hearthAccepts(receiver.requests[0])).toEqual({
      id: `discord:join:${GUILD}:${ada.id}:2026-11-25T09:59:58.123Z`,
      type: 'member.joined',
      occurredAt: '2026-11-25T09:59:58.123Z',
      member: { id: ada.id, name: 'Ada L.' },
    });
    expect(relay.counts.relayed).toBe(1);
    expect(lines.map(([, message]) => message)).toContain('connected to the Discord Gateway');
    expect(JSON.stringify(lines)).not.toContain(TOKEN);
    // The relay closed its Gateway connection when it stopped.
    await expect.poll(() => discord.openSockets(), { timeout: 2_000 }).toBe(0);
  });

  it('reads the guild invites when the guild is announced and at a join, and names the probable inviter', async () => {
    // Prepare
    await discord.close();
    const invites: Record<string, unknown[]> = { [GUILD]: [{ code: 'aaa', uses: 2, max_uses: 0, inviter: bo }] };
    discord = await startFakeDiscord({ token: TOKEN, heartbeatIntervalMs: 250, invites });
    const signals = new EventEmitter();
    const running = runRelay(settings(), { log: recordingLog().log, signals });
    await discord.identified();
    discord.dispatch('GUILD_CREATE', { id: GUILD, name: 'Makers' });
    await expect.poll(() => discord.requests.filter((r) => r.path.endsWith('/invites')).length).toBe(1);

    // Act
    invites[GUILD] = [{ code: 'aaa', uses: 3, max_uses: 0, inviter: bo }];
    discord.dispatch('GUILD_MEMBER_ADD', memberAdd(ada));
    await expect.poll(() => receiver.requests.length, { timeout: 5_000 }).toBe(1);
    signals.emit('SIGTERM');
    await running;

    // Assess
    expect(discord.requests.filter((r) => r.path === `/api/v10/guilds/${GUILD}/invites`)).toHaveLength(2);
    expect(await hearthAccepts(receiver.requests[0])).toMatchObject({
      type: 'member.joined',
      member: { id: ada.id },
      invitedBy: bo.id,
      referralConfidence: 'probable',
    });
  });

  it('fails when Discord refuses the bot token', async () => {
    // Prepare
    const gateway = discordGateway({ token: 'not-the-token', apiBaseUrl: discord.apiBaseUrl });
    const relay = new Relay({ gateway, forwarder: new RecordingForwarder() });

    // Act
    const outcome = relay.run();

    // Assess
    await expect(outcome).rejects.toThrow('discord: GET /gateway/bot refused (HTTP 401');
  });

  it('fails with what to switch on when Discord refuses the privileged intents (close 4014)', async () => {
    // Prepare
    await discord.close();
    discord = await startFakeDiscord({ token: TOKEN, refuseIdentify: 4014 });
    const gateway = discordGateway({ token: TOKEN, apiBaseUrl: discord.apiBaseUrl });
    const relay = new Relay({ gateway, forwarder: new RecordingForwarder() });

    // Act
    const outcome = relay.run();

    // Assess
    await expect(outcome).rejects.toThrow(/SERVER MEMBERS INTENT and MESSAGE CONTENT INTENT.*close code 4014/);
    expect(discord.identifies).toHaveLength(1);
  });

  it('registers the slash commands in the guild with the bot token', async () => {
    // Act
    const registered = await registerSlashCommands(settings());

    // Assess
    // Hearth's own, then those other workflows declare (the calendar's /checkin).
    expect(registered).toEqual({
      scope: `guild ${GUILD}`,
      commands: [...COMMAND_NAMES, 'checkin'],
    });
    const put = discord.requests.find((r) => r.method === 'PUT');
    expect(put?.path).toBe(`/api/v10/applications/1180000000000000001/guilds/${GUILD}/commands`);
    expect(put?.authorization).toBe(`Bot ${TOKEN}`);
    expect(JSON.parse(put?.body ?? '[]')).toEqual([
      ...SLASH_COMMANDS,
      { type: 1, name: 'checkin', description: "Check in to today's challenge" },
    ]);
  });
});

describe('Function: registerCommandsRequest', () => {
  it('overwrites the guild commands, or the global ones (for servers and DMs with the bot) without a guild', () => {
    // Act
    const guild = registerCommandsRequest({ applicationId: '11', guildId: '22' });
    const global = registerCommandsRequest({ applicationId: '11' });

    // Assess
    expect(guild).toEqual({ route: '/applications/11/guilds/22/commands', body: SLASH_COMMANDS });
    expect(global.route).toBe('/applications/11/commands');
    expect(global.body.map((c) => c.name)).toEqual([...COMMAND_NAMES]);
    expect(global.body[0]).toEqual({
      type: 1,
      name: 'birthday',
      description: expect.any(String),
      options: [
        { type: 3, name: 'date', description: expect.stringContaining('MM-DD'), required: true, max_length: 10 },
      ],
      contexts: [0, 1],
      integration_types: [0],
    });
  });
});

describe('Function: discordRest', () => {
  const failing = (error: unknown) => (async () => Promise.reject(error)) as unknown as typeof fetch;
  const noWait = { sleep: async () => undefined };

  it('never puts a token with a newline in the error, though undici quotes the header', async () => {
    // Prepare: undici refuses the header before connecting, quoting its value in the message.
    const token = 'MTE4MDAw.SECRET\nTOKEN-part';
    const rest = discordRest({ token, apiBaseUrl: 'http://127.0.0.1:9/api/v10' }, noWait);

    // Act
    const error = (await rest.get('/gateway/bot').catch((e: unknown) => e)) as Error;

    // Assess
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe('discord: GET /gateway/bot failed (network error) after 3 tries');
    for (const part of ['SECRET', 'TOKEN-part', 'MTE4MDAw']) expect(error.message).not.toContain(part);
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain('SECRET');
    expect(error.cause).toBeUndefined();
  });

  it.each([
    [
      'a system error code',
      Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }),
      'network error ECONNREFUSED',
    ],
    ['a timeout', new DOMException('The operation was aborted due to timeout', 'TimeoutError'), 'timeout'],
    [
      'a message quoting the token',
      Object.assign(new TypeError(`Headers.append: "Bot ${TOKEN}" is an invalid header value.`), {
        cause: { message: `Bot ${TOKEN}` },
      }),
      'network error',
    ],
  ])('reports %s by a fixed reason only', async (_what, thrown, reason) => {
    // Prepare
    const rest = discordRest({ token: TOKEN }, { ...noWait, fetch: failing(thrown) });

    // Act
    const error = (await rest.get('/gateway/bot').catch((e: unknown) => e)) as Error;

    // Assess
    expect(error.message).toBe(`discord: GET /gateway/bot failed (${reason}) after 3 tries`);
    expect(error.message).not.toContain(TOKEN);
  });
});
