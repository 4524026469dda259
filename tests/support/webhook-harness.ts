import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { CommunityConfig } from '../../shared/domain/config';
import type { DomainEvent, EventPublisher } from '../../shared/events/domain-events';
import { literalSecrets } from '../../shared/runtime/secrets';
import { CommunityCache, putCommunity } from '../../shared/store/communities';
import type { Db } from '../../shared/store/db';
import { createWebhookHandler } from '../../shared/webhook/http';
import type { PipelineMetrics } from '../../shared/webhook/pipeline';
import { freshTable } from './dynamo';
import { communityConfig } from './fixtures';
import { PLATFORM_CONFIGS, type PlatformKind, type PlatformRequest, signedRequest } from './platform-requests';

/**
 * The webhook Lambda's handler (middy, the error mapper, the real pipeline)
 * over a fresh table on the run's DynamoDB engine, with one community per
 * platform, and a count of the writes each request makes: the harness for
 * tests that send what a hostile client would.
 */

const WRITES = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
  'TransactWriteItemsCommand',
]);

/** What one request came to. */
export interface Answer {
  status: number;
  /** The body parsed as JSON, or undefined when it is not JSON (a handshake's plain text). */
  json: Record<string, unknown> | undefined;
  /** Writes to the table while the request ran. */
  writes: number;
  /** Domain events it published. */
  published: number;
}

export interface WebhookHarness {
  db: Db;
  communities: Record<PlatformKind, CommunityConfig>;
  /** Send a request as it arrives at the HTTP API (path parameters decoded). */
  send(request: PlatformRequest): Promise<Answer>;
  /** Sign (and seal) `body` as the platform would, and send it. */
  signed(
    platform: PlatformKind,
    body: string,
    at: Date,
    options?: { contentType?: string; seq?: number },
  ): Promise<Answer>;
}

class CountingPublisher implements EventPublisher {
  count = 0;
  async publish(events: readonly DomainEvent[]): Promise<void> {
    this.count += events.length;
  }
}

const quietMetrics: PipelineMetrics = { accepted() {}, duplicates() {}, rejected() {} };

/** A harness whose clock reads `clock()` (the time of receipt the adapters check against). */
export async function webhookHarness(clock: () => Date = () => new Date()): Promise<WebhookHarness> {
  const db = await freshTable('webhook');
  let writes = 0;
  db.doc.middlewareStack.add(
    (next, context) => async (args) => {
      if (WRITES.has(context.commandName as string)) writes++;
      return next(args);
    },
    { step: 'initialize', name: 'countWrites' },
  );
  const communities = Object.fromEntries(
    (Object.keys(PLATFORM_CONFIGS) as PlatformKind[]).map((kind) => [
      kind,
      communityConfig({ id: `fuzz-${kind}`, timezone: 'UTC', platform: PLATFORM_CONFIGS[kind] }),
    ]),
  ) as Record<PlatformKind, CommunityConfig>;
  for (const community of Object.values(communities)) await putCommunity(db, community, new Date());

  const publisher = new CountingPublisher();
  const handler = createWebhookHandler(
    { db, communities: new CommunityCache(db), secrets: literalSecrets, publisher, metrics: quietMetrics },
    clock,
  );

  async function send(request: PlatformRequest): Promise<Answer> {
    const [path, query = ''] = request.path.split('?');
    const [, , platform, communityId] = path.split('/');
    const event = {
      version: '2.0',
      rawPath: path,
      rawQueryString: query,
      headers: request.headers,
      queryStringParameters: query ? Object.fromEntries(new URLSearchParams(query)) : undefined,
      pathParameters: { platform, communityId: decodeURIComponent(communityId) },
      requestContext: { http: { method: request.method } },
      body: request.body,
      isBase64Encoded: false,
    } as unknown as APIGatewayProxyEventV2;
    const writesBefore = writes;
    const publishedBefore = publisher.count;
    const result = (await handler(event, {} as Context)) as APIGatewayProxyStructuredResultV2;
    let json: Record<string, unknown> | undefined;
    try {
      json = JSON.parse(result.body ?? '');
    } catch {
      json = undefined;
    }
    return {
      status: result.statusCode ?? 0,
      json,
      writes: writes - writesBefore,
      published: publisher.count - publishedBefore,
    };
  }

  return {
    db,
    communities,
    send,
    signed: (platform, body, at, options) => send(signedRequest(communities[platform], body, at, options)),
  };
}
