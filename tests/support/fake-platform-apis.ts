import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Local stand-ins for each chat platform's outbound API, on 127.0.0.1 at a
 * free port: the documented paths, auth checks, success bodies and error
 * bodies, so a sender is tested against the shape of the real thing. Every
 * request is recorded; `script` makes the next matching requests answer with
 * a given reply first (a 429 in the platform's own format, a 5xx, a refusal).
 */

/** A request as the fake platform received it. */
export interface RecordedRequest {
  method: string;
  /** Path without the query. */
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** The body parsed as JSON (undefined when empty or not JSON). */
  // biome-ignore lint/suspicious/noExplicitAny: tests read whichever JSON fields the sender posted.
  body: any;
}

/** A reply to serve. `hang` never answers (a timeout); `reset` drops the connection; `delayMs` answers late. */
export interface FakeReply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  hang?: boolean;
  reset?: boolean;
  delayMs?: number;
}

type Handler = (request: RecordedRequest) => FakeReply;

/** One fake platform API server. */
export class FakePlatformApi {
  readonly requests: RecordedRequest[] = [];
  private readonly scripted: { match?: string; reply: FakeReply }[] = [];
  /** Consulted before the handler for every request not scripted: a fault to serve instead, or undefined. */
  faults?: (request: RecordedRequest) => FakeReply | undefined;

  private constructor(
    private readonly server: Server,
    /** What goes in the platform config's `apiBaseUrl`. */
    readonly baseUrl: string,
  ) {}

  /** Start a server answering with `handler` unless a scripted reply comes first. */
  static async start(handler: Handler, basePath = ''): Promise<FakePlatformApi> {
    let api: FakePlatformApi | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const raw = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try {
          body = raw === '' ? undefined : JSON.parse(raw);
        } catch {
          body = undefined;
        }
        const request: RecordedRequest = {
          method: req.method ?? 'GET',
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          headers: req.headers,
          body,
        };
        const self = api as FakePlatformApi;
        self.requests.push(request);
        const index = self.scripted.findIndex((s) => !s.match || request.path.includes(s.match));
        const reply =
          index >= 0 ? self.scripted.splice(index, 1)[0].reply : (self.faults?.(request) ?? handler(request));
        if (reply.hang) return;
        if (reply.reset) {
          req.socket.destroy();
          return;
        }
        const payload =
          reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
        const answer = () => {
          res.writeHead(reply.status ?? 200, {
            'content-type': typeof reply.body === 'string' ? 'text/plain' : 'application/json; charset=utf-8',
            ...reply.headers,
          });
          res.end(payload);
        };
        if (reply.delayMs) setTimeout(answer, reply.delayMs);
        else answer();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    api = new FakePlatformApi(server, `http://127.0.0.1:${port}${basePath}`);
    return api;
  }

  /** Answer the next requests whose path contains `match` (any path when absent) with `replies`, in order. */
  script(replies: FakeReply | FakeReply[], match?: string): this {
    for (const reply of Array.isArray(replies) ? replies : [replies]) this.scripted.push({ match, reply });
    return this;
  }

  /** Requests whose path contains `fragment`. */
  to(fragment: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path.includes(fragment));
  }

  /** Forget recorded requests and scripted replies. */
  reset(): void {
    this.requests.length = 0;
    this.scripted.length = 0;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A plain 5xx, as a load balancer in front of any platform answers. */
export const serverError = (status = 502): FakeReply => ({ status, body: '<html>Bad Gateway</html>' });

const json = (body: unknown, status = 200, headers?: Record<string, string>): FakeReply => ({ status, body, headers });

// ---------------------------------------------------------------- Slack

/** Slack Web API: `Authorization: Bearer <bot token>`; HTTP 200 with `{ok:false,error}` for most errors. */
export function startSlackApi(options: { botToken: string; channels?: string[]; dmClosed?: string[] }) {
  const channels = new Set(options.channels ?? []);
  let ts = 1_700_000_000;
  return FakePlatformApi.start((req) => {
    if (req.headers.authorization !== `Bearer ${options.botToken}`) return json({ ok: false, error: 'invalid_auth' });
    if (req.method !== 'POST') return json({ ok: false, error: 'method_not_supported_for_channel_type' });
    if (req.path === '/api/conversations.open') {
      const user = String(req.body?.users ?? '');
      if (!user) return json({ ok: false, error: 'users_list_not_supplied' });
      if (options.dmClosed?.includes(user)) return json({ ok: false, error: 'cannot_dm_bot' });
      channels.add(`D${user}`);
      return json({ ok: true, channel: { id: `D${user}` } });
    }
    if (req.path === '/api/chat.postMessage') {
      if (!req.body?.text) return json({ ok: false, error: 'no_text' });
      if (!channels.has(req.body.channel)) return json({ ok: false, error: 'channel_not_found' });
      ts++;
      return json({ ok: true, channel: req.body.channel, ts: `${ts}.000100`, message: { text: req.body.text } });
    }
    return json({ ok: false, error: 'unknown_method' }, 404);
  }, '/api');
}

/** Slack replies in Slack's formats. */
export const slackReplies = {
  rateLimited: (seconds: number): FakeReply =>
    json({ ok: false, error: 'ratelimited' }, 429, { 'retry-after': String(seconds) }),
  error: (error: string): FakeReply => json({ ok: false, error }),
};

// ---------------------------------------------------------------- Telegram

/** Telegram Bot API: the token in the path (`/bot<token>/<method>`); errors `{ok:false,error_code,description}`. */
export function startTelegramApi(options: { botToken: string; unstarted?: string[]; blocked?: string[] }) {
  let messageId = 100;
  return FakePlatformApi.start((req) => {
    const match = /^\/bot([^/]+)\/(\w+)$/.exec(req.path);
    if (!match) return json({ ok: false, error_code: 404, description: 'Not Found' }, 404);
    if (match[1] !== options.botToken) return json({ ok: false, error_code: 401, description: 'Unauthorized' }, 401);
    if (match[2] === 'createChatInviteLink') {
      if (!req.body?.chat_id)
        return json({ ok: false, error_code: 400, description: 'Bad Request: chat_id is empty' }, 400);
      const name = String(req.body?.name ?? '');
      if (name.length > 32)
        return json({ ok: false, error_code: 400, description: 'Bad Request: invite link name is too long' }, 400);
      return json({
        ok: true,
        result: {
          invite_link: `https://t.me/+fake${++messageId}`,
          creator: { id: 1, is_bot: true, first_name: 'Hearth' },
          creates_join_request: false,
          is_primary: false,
          is_revoked: false,
          ...(name ? { name } : {}),
        },
      });
    }
    if (match[2] !== 'sendMessage') return json({ ok: false, error_code: 404, description: 'Not Found' }, 404);
    const chatId = String(req.body?.chat_id ?? '');
    if (!chatId) return json({ ok: false, error_code: 400, description: 'Bad Request: chat_id is empty' }, 400);
    if (!req.body?.text)
      return json({ ok: false, error_code: 400, description: 'Bad Request: message text is empty' }, 400);
    if (options.unstarted?.includes(chatId)) {
      return json(
        { ok: false, error_code: 403, description: "Forbidden: bot can't initiate conversation with a user" },
        403,
      );
    }
    if (options.blocked?.includes(chatId)) {
      return json({ ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' }, 403);
    }
    messageId++;
    return json({
      ok: true,
      result: { message_id: messageId, date: 1_700_000_000, chat: { id: Number(chatId) }, text: req.body.text },
    });
  });
}

/** Telegram replies in Telegram's formats. */
export const telegramReplies = {
  rateLimited: (seconds: number): FakeReply =>
    json(
      {
        ok: false,
        error_code: 429,
        description: `Too Many Requests: retry after ${seconds}`,
        parameters: { retry_after: seconds },
      },
      429,
    ),
  chatNotFound: (): FakeReply => json({ ok: false, error_code: 400, description: 'Bad Request: chat not found' }, 400),
};

// ---------------------------------------------------------------- WeCom

/**
 * WeCom: the group robot webhook (`?key=<robot key>`), and for an app
 * `gettoken` (`corpid`, `corpsecret`) then `message/send?access_token=…`
 * with `agentid`; always HTTP 200 with `{errcode, errmsg}`.
 */
export function startWecomApi(options: { robotKey: string; corpId?: string; corpSecret?: string; agentId?: number }) {
  let issued = 0;
  const tokens = new Set<string>();
  return FakePlatformApi.start((req) => {
    if (req.path === '/cgi-bin/gettoken') {
      if (req.query.corpid !== options.corpId) return json({ errcode: 40013, errmsg: 'invalid corpid' });
      if (req.query.corpsecret !== options.corpSecret) return json({ errcode: 40001, errmsg: 'invalid credential' });
      const token = `wecom-token-${++issued}`;
      tokens.add(token);
      return json({ errcode: 0, errmsg: 'ok', access_token: token, expires_in: 7200 });
    }
    if (req.path === '/cgi-bin/message/send') {
      if (!tokens.has(req.query.access_token)) return json({ errcode: 42001, errmsg: 'access_token expired' });
      if (req.body?.agentid !== options.agentId) return json({ errcode: 40056, errmsg: 'invalid agentid' });
      if (req.body?.msgtype !== 'text' || !req.body?.text?.content)
        return json({ errcode: 44004, errmsg: 'empty content' });
      return json({ errcode: 0, errmsg: 'ok', invaliduser: '', msgid: `msg-${issued}` });
    }
    if (req.path !== '/cgi-bin/webhook/send') return json({ errcode: 404, errmsg: 'not found' }, 404);
    if (req.query.key !== options.robotKey) {
      return json({ errcode: 93000, errmsg: 'invalid webhook url, hint: [1700000000_1_abc], more info at https://x' });
    }
    if (req.body?.msgtype !== 'text') return json({ errcode: 40008, errmsg: 'invalid message type' });
    if (!req.body?.text?.content) return json({ errcode: 44004, errmsg: 'empty content' });
    return json({ errcode: 0, errmsg: 'ok' });
  });
}

/** WeCom replies in WeCom's formats. */
export const wecomReplies = {
  rateLimited: (): FakeReply => json({ errcode: 45009, errmsg: 'api freq out of limit' }),
  busy: (): FakeReply => json({ errcode: -1, errmsg: 'system busy' }),
  tokenExpired: (): FakeReply => json({ errcode: 42001, errmsg: 'access_token expired' }),
};

// ---------------------------------------------------------------- Feishu / Lark

/**
 * Feishu Open API: `tenant_access_token/internal` with the app id and secret,
 * then `im/v1/messages` with `Authorization: Bearer <tenant token>`; errors
 * `{code, msg}` with HTTP 400 (or 429 for limits).
 */
export function startFeishuApi(options: { appId: string; appSecret: string; unavailable?: string[] }) {
  let issued = 0;
  let messages = 0;
  const tokens = new Set<string>();
  const api = FakePlatformApi.start((req) => {
    if (req.path === '/open-apis/auth/v3/tenant_access_token/internal') {
      if (req.body?.app_id !== options.appId || req.body?.app_secret !== options.appSecret) {
        return json({ code: 10014, msg: 'app secret invalid' }, 400);
      }
      const token = `t-g10${++issued}fake`;
      tokens.add(token);
      return json({ code: 0, msg: 'ok', tenant_access_token: token, expire: 7200 });
    }
    if (req.path === '/open-apis/im/v1/messages' && req.method === 'POST') {
      const bearer = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
      if (!tokens.has(bearer)) {
        return json(
          { code: 99991663, msg: 'Invalid access token for authorization. Please make a request with token attached.' },
          400,
        );
      }
      const type = req.query.receive_id_type;
      if (type !== 'chat_id' && type !== 'open_id')
        return json({ code: 99992402, msg: 'field validation failed' }, 400);
      if (req.body?.msg_type !== 'text' || typeof req.body?.content !== 'string') {
        return json({ code: 230001, msg: 'Your request contains an invalid request parameter.' }, 400);
      }
      if (type === 'open_id' && options.unavailable?.includes(req.body.receive_id)) {
        return json({ code: 230013, msg: 'Bot has NO availability to this user.' }, 400);
      }
      return json({
        code: 0,
        msg: 'success',
        data: {
          message_id: `om_${++messages}`,
          chat_id: type === 'chat_id' ? req.body.receive_id : 'oc_p2p',
          msg_type: 'text',
          body: { content: req.body.content },
        },
      });
    }
    return json({ code: 404, msg: 'not found' }, 404);
  });
  return api.then((fake) => Object.assign(fake, { revokeTokens: () => tokens.clear() }));
}

/** Feishu replies in Feishu's formats. */
export const feishuReplies = {
  rateLimited: (seconds: number): FakeReply =>
    json({ code: 99991400, msg: 'request trigger frequency limit' }, 429, {
      'x-ogw-ratelimit-limit': '50',
      'x-ogw-ratelimit-reset': String(seconds),
    }),
  botNotInChat: (): FakeReply => json({ code: 230002, msg: 'The bot can not be outside the group.' }, 400),
};

// ---------------------------------------------------------------- DingTalk

/**
 * DingTalk custom robot: `robot/send?access_token=…&timestamp=…&sign=…`, the
 * sign checked against the secret; always HTTP 200 with `{errcode, errmsg}`.
 */
export function startDingtalkApi(options: { robotToken: string; secret: string; now?: () => number }) {
  return FakePlatformApi.start((req) => {
    if (req.path !== '/robot/send') return json({ errcode: 404, errmsg: 'not found' }, 404);
    if (req.query.access_token !== options.robotToken) return json({ errcode: 300001, errmsg: 'token is not exist' });
    const timestamp = Number(req.query.timestamp);
    const now = options.now?.() ?? Date.now();
    if (!Number.isFinite(timestamp) || Math.abs(now - timestamp) > 3_600_000) {
      return json({
        errcode: 310000,
        errmsg: 'sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]',
      });
    }
    const expected = createHmac('sha256', options.secret).update(`${timestamp}\n${options.secret}`).digest('base64');
    if (req.query.sign !== expected) {
      return json({
        errcode: 310000,
        errmsg: 'sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]',
      });
    }
    if (req.body?.msgtype !== 'text' || !req.body?.text?.content)
      return json({ errcode: 400105, errmsg: '不支持的消息类型' });
    return json({ errcode: 0, errmsg: 'ok' });
  });
}

/** DingTalk replies in DingTalk's formats. */
export const dingtalkReplies = {
  tooFast: (): FakeReply => json({ errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' }),
  busy: (): FakeReply => json({ errcode: -1, errmsg: '系统繁忙' }),
};

// ---------------------------------------------------------------- Discord

/**
 * Discord REST v10: `Authorization: Bot <token>`; DM channels from
 * `POST /users/@me/channels`; interaction follow-ups on
 * `/webhooks/{application id}/{interaction token}` with no auth; errors
 * `{message, code}` with the HTTP status.
 */
export function startDiscordApi(options: {
  botToken: string;
  applicationId: string;
  channels?: string[];
  dmClosed?: string[];
  interactions?: string[];
}) {
  const channels = new Set(options.channels ?? []);
  /** DM channel id → its recipient. */
  const dms = new Map<string, string>();
  const interactions = new Set(options.interactions ?? []);
  let snowflake = 1_100_000_000_000_000_000n;
  return FakePlatformApi.start((req) => {
    const webhook = /^\/api\/v10\/webhooks\/(\d+)\/([^/]+)\/messages\/@original$/.exec(req.path);
    if (webhook && req.method === 'PATCH') {
      if (webhook[1] !== options.applicationId || !interactions.has(decodeURIComponent(webhook[2]))) {
        return json({ message: 'Unknown Webhook', code: 10015 }, 404);
      }
      return json({ id: String(++snowflake), content: req.body?.content, type: 20 });
    }
    if (req.headers.authorization !== `Bot ${options.botToken}`)
      return json({ message: '401: Unauthorized', code: 0 }, 401);
    if (req.path === '/api/v10/users/@me/channels' && req.method === 'POST') {
      const recipient = String(req.body?.recipient_id ?? '');
      const id = `9${recipient}`;
      channels.add(id);
      dms.set(id, recipient);
      return json({ id, type: 1, recipients: [{ id: recipient }] });
    }
    const post = /^\/api\/v10\/channels\/(\d+)\/messages$/.exec(req.path);
    if (post && req.method === 'POST') {
      if (!channels.has(post[1])) return json({ message: 'Unknown Channel', code: 10003 }, 404);
      const recipient = dms.get(post[1]);
      if (recipient && options.dmClosed?.includes(recipient)) {
        return json({ message: 'Cannot send messages to this user', code: 50007 }, 403);
      }
      return json({ id: String(++snowflake), channel_id: post[1], content: req.body?.content, nonce: req.body?.nonce });
    }
    return json({ message: '404: Not Found', code: 0 }, 404);
  }, '/api/v10');
}

/** Discord replies in Discord's formats. */
export const discordReplies = {
  rateLimited: (seconds: number, global = false): FakeReply =>
    json({ message: 'You are being rate limited.', retry_after: seconds, global }, 429, {
      'retry-after': String(Math.ceil(seconds)),
      ...(global ? { 'x-ratelimit-global': 'true', 'x-ratelimit-scope': 'global' } : { 'x-ratelimit-scope': 'user' }),
    }),
  missingAccess: (): FakeReply => json({ message: 'Missing Access', code: 50001 }, 403),
};

// ---------------------------------------------------------------- Time and secrets

/** A clock and a sleep for senders: sleeping advances the clock at once and is recorded, so nothing really waits. */
export function fakeTime(start = Date.parse('2026-11-25T10:00:00Z')) {
  let now = start;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    advance: (ms: number) => {
      now += ms;
    },
    sleeps,
  };
}

/** A SecretResolver that knows `ssm:` references from `values` and returns literals as they are. */
export function mapSecrets(values: Record<string, string>) {
  const resolved: string[] = [];
  return {
    resolved,
    async resolve(value: string): Promise<string> {
      resolved.push(value);
      if (!value.startsWith('ssm:')) return value;
      const secret = values[value];
      if (secret === undefined) throw new Error(`unknown parameter ${value}`);
      return secret;
    },
  };
}
