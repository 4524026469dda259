import { badRequest, unauthorized } from '../../runtime/errors';
import { canonicalEvents, jsonBody } from '../parsing';
import { hmacSha256Hex, isFresh, safeEqual } from '../signature';
import type { AdapterContext, InboundRequest, ParsedRequest, PlatformAdapter } from '../types';

/**
 * The generic webhook: any source that is not a named platform (relays,
 * imports, custom sources). Signed Stripe-style:
 * `Hearth-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`.
 */

export const SIGNATURE_HEADER = 'hearth-signature';
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/** Build a `Hearth-Signature` header value (for senders, the CLI, tests). */
export function signGeneric(secret: string, rawBody: string, at: Date): string {
  const t = Math.floor(at.getTime() / 1000);
  return `t=${t},v1=${hmacSha256Hex(secret, `${t}.${rawBody}`)}`;
}

/**
 * The generic webhook URL of a community under a Hearth base URL. The base may
 * be the API root (`https://api.example.com`) or its webhooks path (as the local
 * stack names it, `http://127.0.0.1:3000/webhooks`).
 */
export function genericWebhookUrl(base: string, communityId: string): string {
  const root = base.replace(/\/+$/, '');
  const webhooks = /\/webhooks$/.test(root) ? root : `${root}/webhooks`;
  return `${webhooks}/generic/${encodeURIComponent(communityId)}`;
}

/** Split a header into its timestamp and v1 signatures (several during a secret rotation). */
export function parseSignatureHeader(header: string): { t: number; v1: string[] } | undefined {
  let t: number | undefined;
  const v1: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) t = Number(value);
    else if (key === 'v1' && value) v1.push(value);
  }
  return t === undefined || v1.length === 0 ? undefined : { t, v1 };
}

export const adapter: PlatformAdapter = {
  platform: 'generic',
  acceptsGet: false,

  async verify(request: InboundRequest, { community, secrets, now }: AdapterContext): Promise<void> {
    const header = request.headers[SIGNATURE_HEADER];
    if (!header) throw unauthorized('Hearth-Signature header is missing', 'Hearth-Signature');
    const parsed = parseSignatureHeader(header);
    if (!parsed) throw unauthorized('Hearth-Signature header is malformed', 'Hearth-Signature');
    if (!isFresh(parsed.t, now, SIGNATURE_TOLERANCE_SECONDS))
      throw unauthorized('Hearth-Signature timestamp is stale', 'Hearth-Signature');
    const secret = await secrets.resolve(community.webhookSecret);
    const expected = hmacSha256Hex(secret, `${parsed.t}.${request.rawBody}`);
    if (!parsed.v1.some((candidate) => safeEqual(candidate, expected))) {
      throw unauthorized('Hearth-Signature does not match', 'Hearth-Signature');
    }
  },

  parse(request: InboundRequest, { now }: AdapterContext): ParsedRequest {
    const body = jsonBody(request.rawBody);
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw badRequest('body must be one event, a JSON object', '(body)');
    }
    // The generic webhook's fields are Hearth's own: each is named as it is.
    return { events: canonicalEvents([{ event: body as Record<string, unknown>, fields: {} }], now) };
  },
};
