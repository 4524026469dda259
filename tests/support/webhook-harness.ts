import { AsyncLocalStorage } from 'node:async_hooks';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { asLocalFunction } from '../../infra/local/functions';
import type { CommunityConfig } from '../../shared/domain/config';
import type { DomainEvent, EventPublisher } from '../../shared/events/domain-events';
import { adapterFor } from '../../shared/platforms/inbound';
import { errorReply } from '../../shared/runtime/handler';
import { literalSecrets } from '../../shared/runtime/secrets';
import { CommunityCache, putCommunity } from '../../shared/store/communities';
import type { Db } from '../../shared/store/db';
import { ProfileCache } from '../../shared/store/profile-cache';
import { createWebhookHandler } from '../../shared/webhook/http';
import { handleWebhook, type PipelineDeps, type PipelineMetrics } from '../../shared/webhook/pipeline';
import { countWrites, freshTable } from './dynamo';
import { communityConfig } from './fixtures';
import { PLATFORM_CONFIGS, type PlatformKind, type PlatformRequest, signedRequest } from './platform-requests';

/**
 * The webhook Lambda's handler (middy, the error mapper, the real pipeline,
 * its dependencies as the Lambda has them) over a fresh table on the run's DynamoDB engine, with one community per
 * platform, and a count of the writes each request makes: the harness for
 * tests that send what a hostile client would.
 */

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
  /**
   * Whether the pipeline would get past its adapter's verify, prepare and parse with this request (to the
   * point where it writes), run here without the pipeline; the fuzz tests use it to spend their writes well.
   */
  parses(request: PlatformRequest): Promise<boolean>;
  /** Sign (and seal) `body` as the platform would, and send it. */
  signed(
    platform: PlatformKind,
    body: string,
    at: Date,
    options?: { contentType?: string; seq?: number },
  ): Promise<Answer>;
}

/** Counts what each request publishes, in the request's own tally. */
class CountingPublisher implements EventPublisher {
  constructor(private readonly tally: AsyncLocalStorage<{ published: number }>) {}
  async publish(events: readonly DomainEvent[]): Promise<void> {
    const counter = this.tally.getStore();
    if (counter) counter.published += events.length;
  }
}

const quietMetrics: PipelineMetrics = { accepted() {}, duplicates() {}, rejected() {} };

/**
 * A harness whose clock reads `clock()` (the time of receipt the adapters check against). `through`
 * says how far out a request starts: the Lambda `handler` (middy, Powertools, the invocation store), or
 * the `pipeline` with the handler's own error mapper (`errorReply`), a third of the cost per request, for
 * the fuzz tests' tens of thousands.
 */
export async function webhookHarness(
  clock: () => Date = () => new Date(),
  through: 'handler' | 'pipeline' = 'handler',
): Promise<WebhookHarness> {
  const db = await freshTable('webhook');
  // Writes are counted for the request whose async context makes them, so requests may run concurrently.
  const tally = new AsyncLocalStorage<{ writes: number; published: number }>();
  countWrites(db, () => {
    const counter = tally.getStore();
    if (counter) counter.writes++;
  });
  const communities = Object.fromEntries(
    (Object.keys(PLATFORM_CONFIGS) as PlatformKind[]).map((kind) => [
      kind,
      communityConfig({ id: `fuzz-${kind}`, timezone: 'UTC', platform: PLATFORM_CONFIGS[kind] }),
    ]),
  ) as Record<PlatformKind, CommunityConfig>;
  for (const community of Object.values(communities)) await putCommunity(db, community, new Date());

  const publisher = new CountingPublisher(tally as AsyncLocalStorage<{ published: number }>);
  const deps: PipelineDeps = {
    db,
    communities: new CommunityCache(db),
    secrets: literalSecrets,
    publisher,
    metrics: quietMetrics,
    profiles: new ProfileCache(),
  };
  // Invoked as the local runtime invokes it: each call in its own invocation store, as on Lambda.
  const lambda = asLocalFunction('webhook', createWebhookHandler(deps, clock));
  const handler =
    through === 'handler'
      ? lambda
      : async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
          const request = {
            platform: event.pathParameters?.platform ?? '',
            communityId: event.pathParameters?.communityId ?? '',
            method: event.requestContext.http.method,
            headers: event.headers,
            query: event.queryStringParameters ?? {},
            rawBody: event.body ?? '',
          };
          try {
            const { reply } = await handleWebhook(deps, request, clock());
            return { statusCode: reply.statusCode, body: reply.body };
          } catch (error) {
            return errorReply(error);
          }
        };

  function toEvent(request: PlatformRequest): APIGatewayProxyEventV2 {
    const [path, query = ''] = request.path.split('?');
    const [, , platform, communityId] = path.split('/');
    return {
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
  }

  async function send(request: PlatformRequest): Promise<Answer> {
    const event = toEvent(request);
    const counter = { writes: 0, published: 0 };
    const result = (await tally.run(counter, () => handler(event))) as APIGatewayProxyStructuredResultV2;
    let json: Record<string, unknown> | undefined;
    try {
      json = JSON.parse(result.body ?? '');
    } catch {
      json = undefined;
    }
    return { status: result.statusCode ?? 0, json, writes: counter.writes, published: counter.published };
  }

  async function parses(request: PlatformRequest): Promise<boolean> {
    const event = toEvent(request);
    const platform = event.pathParameters?.platform as PlatformKind;
    const adapter = adapterFor(platform);
    const context = { community: communities[platform], secrets: literalSecrets, now: clock() };
    const inbound = {
      method: request.method,
      headers: event.headers,
      query: event.queryStringParameters ?? {},
      rawBody: request.body,
    };
    try {
      await adapter.verify(inbound, context);
      adapter.parse(adapter.prepare ? await adapter.prepare(inbound, context) : inbound, context);
      return true;
    } catch {
      return false;
    }
  }

  return {
    db,
    communities,
    send,
    parses,
    signed: (platform, body, at, options) => send(signedRequest(communities[platform], body, at, options)),
  };
}
