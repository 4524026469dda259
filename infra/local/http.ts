import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { badRequest, HearthError, notFound } from '../../shared/runtime/errors';
import { errorReply, json } from '../../shared/runtime/handler';
import { MAX_BODY_BYTES } from '../../shared/webhook/pipeline';
import { WEBHOOK_ROUTE } from '../topology';
import type { LocalFunctions } from './functions';

/**
 * The local stand-in for the HTTP API: turns each request into the same
 * API Gateway (payload v2) event the webhook Lambda receives, and its result
 * back into an HTTP response.
 */

const ROUTE = new RegExp(
  `^${WEBHOOK_ROUTE.path.replace(/\{platform\}/, '(?<platform>[^/]+)').replace(/\{communityId\}/, '(?<communityId>[^/]+)')}$`,
);

/** Start the server on `host:port` (port 0 picks one); resolves once listening. */
export async function startHttpServer(functions: LocalFunctions, port: number, host = '127.0.0.1'): Promise<Server> {
  const server = createServer((req, res) => {
    handle(functions, req, res).catch((error) => send(res, errorReply(error)));
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}

async function handle(functions: LocalFunctions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  // The target appended to a base, not resolved against it: `//x/y` is a path here, not another host.
  let url: URL;
  try {
    const target = req.url ?? '/';
    url = new URL(`http://localhost${target.startsWith('/') ? '' : '/'}${target}`);
  } catch {
    return send(res, errorReply(badRequest('the request target is not a path', 'path')));
  }
  // The pid lets another process tell this stack from one that took its port after it died.
  if (url.pathname === '/health') return send(res, json(200, { ok: true, pid: process.pid }));
  const match = ROUTE.exec(url.pathname);
  if (!match?.groups) {
    return send(res, errorReply(notFound(`no route ${url.pathname.slice(0, 200)}`, 'path')));
  }
  const method = req.method ?? 'GET';
  if (!(WEBHOOK_ROUTE.methods as readonly string[]).includes(method)) {
    return send(res, errorReply(new HearthError('method_not_allowed', `${method} is not allowed`, 'method')));
  }
  const params = decodeParams(match.groups);
  if ('invalid' in params) {
    return send(res, errorReply(badRequest(`${params.invalid} is not valid percent-encoding`, params.invalid)));
  }
  const body = await readBody(req);
  if (body === undefined) {
    return send(
      res,
      errorReply(new HearthError('payload_too_large', `body is over ${MAX_BODY_BYTES} bytes`, '(body)')),
    );
  }
  const event = toApiGatewayEvent(req, url, params, body);
  const result = (await functions.webhook(event)) as APIGatewayProxyStructuredResultV2;
  send(res, result);
}

/** The path parameters decoded, as API Gateway passes them, or the one that is not valid percent-encoding. */
function decodeParams(
  groups: Record<string, string>,
): { platform: string; communityId: string } | { invalid: 'platform' | 'communityId' } {
  const decoded: Record<string, string> = {};
  for (const name of ['platform', 'communityId'] as const) {
    try {
      decoded[name] = decodeURIComponent(groups[name]);
    } catch {
      return { invalid: name };
    }
  }
  return { platform: decoded.platform, communityId: decoded.communityId };
}

/** The body as text, or undefined once it passes the limit (the rest is not buffered). */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) {
      req.resume();
      return undefined;
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function toApiGatewayEvent(
  req: IncomingMessage,
  url: URL,
  params: Record<string, string>,
  body: string,
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = value;
  const now = new Date();
  return {
    version: '2.0',
    routeKey: `${req.method} ${WEBHOOK_ROUTE.path}`,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    pathParameters: params,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: crypto.randomUUID(),
      routeKey: `${req.method} ${WEBHOOK_ROUTE.path}`,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    body,
    isBase64Encoded: false,
  };
}

function send(res: ServerResponse, result: APIGatewayProxyStructuredResultV2): void {
  if (res.headersSent) return;
  res.writeHead(result.statusCode ?? 200, result.headers as Record<string, string>);
  res.end(result.body ?? '');
}
