import type { ChatSender } from '../chat/sender';
import type { CommunityConfig } from '../domain/config';
import type { InboundEvent } from '../domain/events';
import type { SecretResolver } from '../runtime/secrets';

/** An HTTP request as a platform adapter sees it: raw body, lower-case headers. */
export interface InboundRequest {
  method: string;
  headers: Readonly<Record<string, string | undefined>>;
  query: Readonly<Record<string, string | undefined>>;
  rawBody: string;
}

/** A reply the adapter chooses instead of the default acknowledgement (handshakes). */
export interface HttpReply {
  statusCode: number;
  body: string;
  contentType?: string;
}

/** What a parsed request holds: canonical events, and possibly a reply of the platform's own. */
export interface ParsedRequest {
  events: InboundEvent[];
  reply?: HttpReply;
  /**
   * A request that carries no event but must be served once (WeCom's URL check, which WeCom signs but
   * documents no replay window for): the pipeline keeps `key` for `withinSeconds` and answers a copy with
   * 401 naming `field`. Events need none of this: their ids dedupe them.
   */
  once?: { key: string; withinSeconds: number; field: string };
  /** Per command event id, how its answer goes when not back to the chat it was typed in. */
  answers?: Record<string, AnswerRoute>;
}

/**
 * A command asked in private (a box only the member sees, a private chat the
 * bot that posts for Hearth cannot reach): answered by DM, never in a channel.
 */
export interface AnswerRoute {
  private: true;
  /**
   * Discord: the interaction token the deferred reply is completed with (valid 15 minutes). A secret:
   * it goes only onto the answer's outbox item and is never logged.
   */
  token?: string;
}

/** Context an adapter gets: the community, its secrets, and the time of receipt. */
export interface AdapterContext {
  community: CommunityConfig;
  secrets: SecretResolver;
  now: Date;
}

/**
 * One chat platform's inbound side. `verify` throws `unauthorized` and must
 * not write anything; `parse` throws `badRequest` naming the field.
 */
export interface PlatformAdapter {
  readonly platform: string;
  /** Whether GET requests are part of this platform's protocol (URL verification). */
  readonly acceptsGet: boolean;
  verify(request: InboundRequest, context: AdapterContext): Promise<void>;
  /** After verify, before parse: turn the transport body into the event body (a platform that encrypts decrypts here). */
  prepare?(request: InboundRequest, context: AdapterContext): Promise<InboundRequest>;
  parse(request: InboundRequest, context: AdapterContext): ParsedRequest;
}

/** What a platform folder's `inbound.ts` exports. */
export interface InboundModule {
  adapter: PlatformAdapter;
}

/** What a platform folder's `outbound.ts` exports. */
export interface OutboundModule {
  /**
   * The outbound sender for a community on the platform (its `platform` config, of the platform's own kind),
   * or undefined when the platform has no API to post to (`generic`). A sender holds its pacing state, DM
   * channel ids and access tokens.
   */
  createSender(platform: { kind: string }, secrets: SecretResolver): ChatSender | undefined;
}
