import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

/**
 * A stand-in for Discord on 127.0.0.1: the REST API (`GET /gateway/bot`, the
 * bulk overwrite of slash commands) and a Gateway that speaks the documented
 * handshake (HELLO op 10, IDENTIFY op 2 answered with READY, heartbeats op 1
 * answered with op 11), so a real Gateway client can be pointed at it.
 */

export interface FakeDiscordOptions {
  /** The bot token REST and IDENTIFY accept. */
  token: string;
  /** What HELLO asks for (default 41 250 ms, as Discord sends). */
  heartbeatIntervalMs?: number;
  /** Close the connection on IDENTIFY with this Gateway close code (4014: disallowed intents). */
  refuseIdentify?: number;
  /**
   * `GET /guilds/{id}/invites` answers with the guild's list here (the test changes it between calls); a
   * guild not listed is answered 403 Missing Permissions, as Discord answers a bot without Manage Server.
   */
  invites?: Record<string, unknown[]>;
}

export interface RecordedRequest {
  method: string;
  path: string;
  authorization?: string;
  body: string;
}

export interface FakeDiscord {
  /** The REST base, with the API version, for `platform.apiBaseUrl`. */
  apiBaseUrl: string;
  gatewayUrl: string;
  requests: RecordedRequest[];
  /** IDENTIFY payloads (`d`) received, and the query each connection was opened with. */
  identifies: Array<{ token: string; intents: number; properties: unknown }>;
  connections: URLSearchParams[];
  heartbeats: number;
  /** Resolves on the next IDENTIFY (or at once when one came already). */
  identified(): Promise<void>;
  /** Send a dispatch (op 0) with the next sequence number to every connected client. */
  dispatch(t: string, d: unknown): void;
  /** Sockets still open. */
  openSockets(): number;
  close(): Promise<void>;
}

const json = (response: ServerResponse, status: number, body: unknown) => {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
};

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Start a fake Discord on an ephemeral port. */
export async function startFakeDiscord(options: FakeDiscordOptions): Promise<FakeDiscord> {
  const requests: RecordedRequest[] = [];
  const identifies: FakeDiscord['identifies'] = [];
  const connections: URLSearchParams[] = [];
  const sockets = new Set<WebSocket>();
  let waiting: Array<() => void> = [];
  let sequence = 0;
  let heartbeats = 0;

  const server = createServer(async (request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const body = await readBody(request);
    requests.push({ method: request.method ?? '', path, authorization: request.headers.authorization, body });
    if (request.headers.authorization !== `Bot ${options.token}`) {
      return json(response, 401, { message: '401: Unauthorized', code: 0 });
    }
    if (request.method === 'GET' && path === '/api/v10/gateway/bot') {
      return json(response, 200, {
        url: gatewayUrl,
        shards: 1,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 },
      });
    }
    const invites = /^\/api\/v10\/guilds\/(\d+)\/invites$/.exec(path);
    if (request.method === 'GET' && invites) {
      const list = options.invites?.[invites[1]];
      return list ? json(response, 200, list) : json(response, 403, { message: 'Missing Permissions', code: 50013 });
    }
    if (request.method === 'PUT' && /^\/api\/v10\/applications\/\d+(\/guilds\/\d+)?\/commands$/.test(path)) {
      const commands = JSON.parse(body) as Array<Record<string, unknown>>;
      return json(
        response,
        200,
        commands.map((c, i) => ({ ...c, id: String(1_200_000_000_000_000_000n + BigInt(i)), version: '1' })),
      );
    }
    return json(response, 404, { message: '404: Not Found', code: 0 });
  });

  const gateway = new WebSocketServer({ server, path: '/gateway' });
  gateway.on('connection', (socket, request) => {
    sockets.add(socket);
    connections.push(new URL(request.url ?? '/', 'ws://localhost').searchParams);
    socket.on('close', () => sockets.delete(socket));
    const send = (payload: unknown) => socket.send(JSON.stringify(payload));
    send({ op: 10, d: { heartbeat_interval: options.heartbeatIntervalMs ?? 41_250 }, s: null, t: null });
    socket.on('message', (data) => {
      const payload = JSON.parse(String(data)) as { op: number; d: Record<string, unknown> };
      if (payload.op === 1) {
        heartbeats++;
        send({ op: 11, d: null, s: null, t: null });
      } else if (payload.op === 2) {
        const d = payload.d as FakeDiscord['identifies'][number];
        identifies.push({ token: d.token, intents: d.intents, properties: d.properties });
        if (d.token !== options.token) return socket.close(4004, 'Authentication failed.');
        if (options.refuseIdentify) return socket.close(options.refuseIdentify, 'Disallowed intent(s).');
        send({
          op: 0,
          t: 'READY',
          s: ++sequence,
          d: {
            v: 10,
            user: { id: '1180000000000000001', username: 'hearth', discriminator: '0', bot: true },
            guilds: [{ id: '290926798626357999', unavailable: true }],
            session_id: 'fake-session',
            resume_gateway_url: gatewayUrl,
            application: { id: '1180000000000000001', flags: 0 },
          },
        });
        const ready = waiting;
        waiting = [];
        for (const resolve of ready) resolve();
      }
    });
  });

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const gatewayUrl = `ws://127.0.0.1:${port}/gateway`;

  return {
    apiBaseUrl: `http://127.0.0.1:${port}/api/v10`,
    gatewayUrl,
    requests,
    identifies,
    connections,
    get heartbeats() {
      return heartbeats;
    },
    identified: () =>
      identifies.length > 0 ? Promise.resolve() : new Promise<void>((resolve) => waiting.push(resolve)),
    dispatch(t, d) {
      sequence++;
      for (const socket of sockets) socket.send(JSON.stringify({ op: 0, t, s: sequence, d }));
    },
    openSockets: () => sockets.size,
    async close() {
      for (const socket of sockets) socket.terminate();
      await new Promise<void>((resolve) => gateway.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
