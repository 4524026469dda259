import type { CommunityConfig } from '../domain/config';
import type { InboundEvent } from '../domain/events';
import { idSchema } from '../domain/validation';
import type { EventPublisher } from '../events/domain-events';
import { adapterFor } from '../platforms/inbound';
import { assertNotInFuture } from '../platforms/parsing';
import { isPlatformName, platformDefinition } from '../platforms/registry';
import type { AdapterContext, HttpReply, InboundRequest, ParsedRequest, PlatformAdapter } from '../platforms/types';
import { badRequest, HearthError, notFound, unauthorized } from '../runtime/errors';
import type { SecretResolver } from '../runtime/secrets';
import type { CommunityCache } from '../store/communities';
import type { Db } from '../store/db';
import { ingestEvent } from '../store/ingest';
import type { ProfileCache } from '../store/profile-cache';
import { firstSighting } from '../store/seen';
import { countResponses } from '../store/watches';
import { answerCommand, quietSpellDays, watchesSends } from '../workflows/registry';

/**
 * The webhook pipeline every platform shares: find the community, verify,
 * parse, then dedupe + apply each event and publish what changed. Nothing is
 * written before verification and parsing have both passed.
 */

/** Largest body accepted (docs/contract.md). */
export const MAX_BODY_BYTES = 256 * 1024;

/** What the pipeline needs; the Lambda and the local runtime each supply their own. */
export interface PipelineDeps {
  db: Db;
  communities: CommunityCache;
  secrets: SecretResolver;
  publisher: EventPublisher;
  metrics: PipelineMetrics;
  /** Profiles written recently by this process (one per container or local stack). */
  profiles?: ProfileCache;
}

/** Counters the pipeline reports (CloudWatch EMF in AWS). */
export interface PipelineMetrics {
  accepted(count: number): void;
  duplicates(count: number): void;
  rejected(reason: string): void;
}

/** A webhook request after routing. */
export interface WebhookRequest extends InboundRequest {
  platform: string;
  communityId: string;
}

/** Outcome of a request: the reply and what was accepted. */
export interface WebhookOutcome {
  reply: HttpReply;
  accepted: number;
  duplicates: number;
}

/** Run one webhook request through the pipeline at time `now`. */
export async function handleWebhook(deps: PipelineDeps, request: WebhookRequest, now: Date): Promise<WebhookOutcome> {
  try {
    return await run(deps, request, now);
  } catch (error) {
    if (error instanceof HearthError && error.statusCode < 500) deps.metrics.rejected(error.code);
    throw error;
  }
}

/** The request through its three steps: route it, read it, apply what it says. */
async function run(deps: PipelineDeps, request: WebhookRequest, now: Date): Promise<WebhookOutcome> {
  const { adapter, community } = await route(deps, request, now);
  const parsed = await read(adapter, request, { community, secrets: deps.secrets, now });
  if (parsed.once && !(await firstSighting(deps.db, community.id, parsed.once.key, parsed.once.withinSeconds, now))) {
    throw unauthorized('this request was served already: a copy is refused', parsed.once.field);
  }
  const { accepted, duplicates } = await apply(deps, community, parsed, now);
  deps.metrics.accepted(accepted);
  deps.metrics.duplicates(duplicates);
  const reply = parsed.reply ?? {
    statusCode: 200,
    contentType: 'application/json',
    body: JSON.stringify({ ok: true, accepted, duplicates, ids: parsed.events.map((e: InboundEvent) => e.id) }),
  };
  return { reply, accepted, duplicates };
}

/** Step 1: the platform's adapter and the community, or the 4xx that says which of them is wrong. */
async function route(
  deps: PipelineDeps,
  request: WebhookRequest,
  now: Date,
): Promise<{ adapter: PlatformAdapter; community: CommunityConfig }> {
  if (Buffer.byteLength(request.rawBody) > MAX_BODY_BYTES) {
    throw new HearthError('payload_too_large', `body is over ${MAX_BODY_BYTES} bytes`, '(body)');
  }
  if (!isPlatformName(request.platform)) {
    throw notFound(`unknown platform "${request.platform.slice(0, 64)}"`, 'platform');
  }
  const adapter = adapterFor(request.platform);
  if (request.method === 'GET' && !adapter.acceptsGet) {
    throw new HearthError('method_not_allowed', `${request.platform} webhooks are POSTed`, 'method');
  }
  // A community id is part of a table key: one that no community can have (too long for a key, a `#`) is
  // refused before it reaches the table.
  if (!idSchema.safeParse(request.communityId).success) {
    throw badRequest(
      'communityId must be 1 to 128 characters, with no "#", spaces or control characters',
      'communityId',
    );
  }
  const community = await deps.communities.get(request.communityId, now);
  if (!community) throw notFound(`unknown community "${request.communityId}"`, 'communityId');
  // The generic webhook is open to every community; a named platform only to the community on it.
  if (!platformDefinition(request.platform).openToEveryCommunity && community.platform.kind !== request.platform) {
    throw notFound(`community "${community.id}" is not on ${request.platform}`, 'platform');
  }
  return { adapter, community };
}

/** Step 2: verify, prepare and parse; nothing is written before this has passed. */
async function read(adapter: PlatformAdapter, request: WebhookRequest, context: AdapterContext) {
  await adapter.verify(request, context);
  const prepared = adapter.prepare ? await adapter.prepare(request, context) : request;
  const parsed = adapter.parse(prepared, context);
  // Every adapter holds its events to the 5-minute rule and names its own field; this makes sure of it.
  for (const event of parsed.events) assertNotInFuture(event, context.now);
  return parsed;
}

/** Step 3: each event answered (a command), deduped and applied, and its domain events published. */
async function apply(
  deps: PipelineDeps,
  community: CommunityConfig,
  parsed: ParsedRequest,
  now: Date,
): Promise<{ accepted: number; duplicates: number }> {
  let accepted = 0;
  let duplicates = 0;
  for (const event of parsed.events) {
    // A command is answered first (see `answerCommand`).
    await answerCommand(deps.db, community, event, { now, route: parsed.answers?.[event.id] });
    const result = await ingestEvent(deps.db, community, event, {
      profiles: deps.profiles,
      now,
      quietSpellDays: quietSpellDays(community),
    });
    if (result.duplicate) {
      duplicates++;
      continue;
    }
    accepted++;
    // A reply, a reaction or a message in the channel of a post Hearth made: counted for the post, once.
    if (watchesSends(community)) await countResponses(deps.db, community, event, now);
    if (result.events.length) {
      try {
        await deps.publisher.publish(result.events);
      } catch (error) {
        await result.release?.().catch(() => undefined);
        throw error;
      }
    }
    // Only now is a lifecycle event done; a failure before this point is finished by the retry.
    await result.complete?.();
  }
  return { accepted, duplicates };
}
