import { createHash } from 'node:crypto';
import { RetryLaterError, sendTimeLeft, UndeliverableError } from './sender';

/**
 * The HTTP layer the platform senders share: JSON over global `fetch` with a
 * timeout per request, in-process retries for what a moment will fix, and one
 * classification of failures into the dispatcher's two error kinds.
 *
 * - 2xx and the platform's "ok" body: done.
 * - Rate limited (HTTP 429, or a platform's own code): wait as long as the
 *   platform asks (`Retry-After`, a body `retry_after`) and try again; a wait
 *   longer than `maxWaitMs` throws `RetryLaterError` with `retryAt` at once, so
 *   a Lambda invocation never stalls on it.
 * - 5xx, network errors, timeouts: a few tries with exponential backoff, then
 *   `RetryLaterError` without `retryAt` (the dispatcher's backoff applies).
 * - Other 4xx, or a platform code that retrying will not change:
 *   `PlatformError` (an `UndeliverableError`), never retried.
 * - Inside a send's deadline (`withSendDeadline`), no try or wait starts that
 *   could outlast it: `RetryLaterError` instead, and each try's timeout is cut
 *   to what is left.
 *
 * Error messages name the platform, the operation, the HTTP status and the
 * platform's error code and description, and nothing else: never a URL (the
 * Telegram token is in its path, WeCom and DingTalk keys in the query), a
 * header, a request body or the message text. Known secrets are scrubbed from
 * the platform's description too, in case a platform ever echoes one.
 */

/** A JSON request. `url` may hold a secret: it is used, never reported. */
export interface JsonRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH';
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** The operation, for errors (`chat.postMessage`, `sendMessage`): never the URL. */
  what: string;
  /** Values to scrub from anything reported (tokens, keys). */
  secrets?: readonly (string | undefined)[];
}

/** A response as received, its body parsed as JSON when it is JSON. */
export interface JsonResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

/** What a response means, as a platform reads it. */
export type Outcome =
  | { kind: 'ok' }
  /** Slow down: `retryAfterMs` when the platform said how long. */
  | { kind: 'rate_limited'; retryAfterMs?: number; code?: string | number; description?: string }
  /** A transient failure worth another try soon. */
  | { kind: 'transient'; code?: string | number; description?: string }
  /** A refusal that retrying will not change. */
  | { kind: 'refused'; code?: string | number; description?: string };

/** Reads a response into an outcome; platforms wrap `classifyHttp` with their own body codes. */
export type Classifier = (response: JsonResponse) => Outcome;

/** A refusal from a platform: undeliverable, with the status and code for a sender to act on (a DM fallback). */
export class PlatformError extends UndeliverableError {
  override name = 'PlatformError';
  constructor(
    message: string,
    readonly platform: string,
    readonly status: number,
    readonly code?: string | number,
    readonly description?: string,
  ) {
    super(message);
  }
}

/** Tuning and injectables for `HttpClient`; every field has a default. */
export interface HttpOptions {
  /** The fetch to use (tests may wrap it); global `fetch` by default. */
  fetch?: typeof fetch;
  /** Per-request timeout (AbortSignal.timeout). Default 10 s. */
  timeoutMs?: number;
  /** Tries in-process for transient failures and short rate limits. Default 3. */
  attempts?: number;
  /** The longest wait served in-process; longer ones become `RetryLaterError(retryAt)`. Default 10 s. */
  maxWaitMs?: number;
  /** Clock (ms since epoch), for `retryAt`. */
  now?: () => number;
  /** Sleep, injectable so tests assert waits without waiting. */
  sleep?: (ms: number) => Promise<void>;
}

/** Resolves after `ms` milliseconds. */
export const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const DESCRIPTION_MAX = 200;
/** The first backoff after a transient failure, doubled each try. */
const FIRST_BACKOFF_MS = 500;
/** The wait for a rate limit that names no time. */
const DEFAULT_RETRY_AFTER_MS = 1_000;
/** No try starts with less than this left before its send's deadline. */
const MIN_TRY_MS = 1_000;

/** `Retry-After` in ms: delta-seconds (possibly fractional) or an HTTP date. */
export function retryAfterHeaderMs(headers: Headers, now: number = Date.now()): number | undefined {
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds * 1000));
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** A body's `retry_after` (Discord, float seconds) or `parameters.retry_after` (Telegram, integer seconds), in ms. */
export function retryAfterBodyMs(body: unknown): number | undefined {
  const record = asRecord(body);
  const raw = record.retry_after ?? asRecord(record.parameters).retry_after;
  return typeof raw === 'number' && Number.isFinite(raw) && raw >= 0 ? Math.ceil(raw * 1000) : undefined;
}

/** The generic reading of a response: 2xx ok, 429 rate limited, 408/5xx transient, other 4xx refused. */
export function classifyHttp(response: JsonResponse): Outcome {
  const { status, headers, body } = response;
  if (status >= 200 && status < 300) return { kind: 'ok' };
  const { code, description } = describeBody(body);
  if (status === 429) {
    const retryAfterMs = retryAfterHeaderMs(headers) ?? retryAfterBodyMs(body);
    return { kind: 'rate_limited', retryAfterMs, code, description };
  }
  if (status === 408 || status >= 500) return { kind: 'transient', code, description };
  return { kind: 'refused', code, description };
}

/**
 * A classifier for the Chinese platforms' `{errcode, errmsg}` answers (WeCom,
 * DingTalk), sent with HTTP 200: 0 is done, -1 is "system busy" (transient), a
 * code in `frequency` means over the limit (wait `retryAfterMs`), any other
 * code is a refusal.
 */
export function errcodeClassifier(frequency: ReadonlySet<number>, retryAfterMs: number): Classifier {
  return (response) => {
    const base = classifyHttp(response);
    if (base.kind !== 'ok') return base;
    const { errcode, errmsg } = asRecord(response.body);
    const description = typeof errmsg === 'string' ? errmsg : undefined;
    if (errcode === 0) return { kind: 'ok' };
    if (typeof errcode !== 'number') return { kind: 'transient', description: 'no errcode in the answer' };
    if (frequency.has(errcode)) return { kind: 'rate_limited', code: errcode, description, retryAfterMs };
    if (errcode === -1) return { kind: 'transient', code: errcode, description };
    return { kind: 'refused', code: errcode, description };
  };
}

/** The common error fields of a JSON body: `error_code`/`code`/`errcode`/`error`, `description`/`message`/`msg`/`errmsg`. */
export function describeBody(body: unknown): { code?: string | number; description?: string } {
  const record = asRecord(body);
  const code = [record.errcode, record.error_code, record.code, record.error].find(
    (value) => typeof value === 'number' || (typeof value === 'string' && value !== ''),
  ) as string | number | undefined;
  const description = [record.description, record.message, record.msg, record.errmsg].find(
    (value) => typeof value === 'string' && value !== '',
  ) as string | undefined;
  return { code, description };
}

/** A JSON client for one platform: retries, rate limits and safe errors as described above. */
export class HttpClient {
  private readonly fetch: typeof fetch;
  private readonly timeoutMs: number;
  private readonly attempts: number;
  private readonly maxWaitMs: number;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;

  constructor(
    /** The platform's name, first word of every error. */
    readonly platform: string,
    options: HttpOptions = {},
  ) {
    this.fetch = options.fetch ?? globalThis.fetch;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.attempts = Math.max(1, options.attempts ?? 3);
    this.maxWaitMs = options.maxWaitMs ?? 10_000;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
  }

  /**
   * Send `request` until it succeeds or fails for good; resolves with the
   * successful response, throws `RetryLaterError` or `PlatformError`.
   */
  async request(request: JsonRequest, classify: Classifier = classifyHttp): Promise<JsonResponse> {
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= this.attempts;
      if (sendTimeLeft() < MIN_TRY_MS) {
        // Out of time for this send: nothing of this try went out; an earlier try may have.
        throw new RetryLaterError(
          `${this.platform}: ${request.what} not tried, out of time for this run`,
          new Date(this.now()),
          attempt > 1,
        );
      }
      let status = 0;
      let outcome: Outcome;
      let detail: string;
      try {
        const response = await this.once(request);
        outcome = classify(response);
        if (outcome.kind === 'ok') return response;
        status = response.status;
        detail = this.detail(request, status, outcome);
      } catch (error) {
        // No answer (a network error, a timeout): as transient as a 5xx.
        outcome = { kind: 'transient' };
        detail = networkReason(error);
      }
      if (outcome.kind === 'refused') {
        const description = outcome.description && this.scrub(outcome.description, request.secrets);
        throw new PlatformError(
          `${this.platform}: ${request.what} refused (${detail})`,
          this.platform,
          status,
          outcome.code,
          description,
        );
      }
      if (outcome.kind === 'rate_limited') {
        const waitMs = outcome.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS;
        const message = `${this.platform}: ${request.what} rate limited (${detail}), retry after ${Math.ceil(waitMs / 1000)} s`;
        if (waitMs > Math.min(this.maxWaitMs, sendTimeLeft() - MIN_TRY_MS) || last) {
          throw new RetryLaterError(message, new Date(this.now() + waitMs));
        }
        await this.sleep(waitMs);
        continue;
      }
      const message = `${this.platform}: ${request.what} failed (${detail})`;
      const backoff = FIRST_BACKOFF_MS * 2 ** (attempt - 1);
      if (last || backoff > sendTimeLeft() - MIN_TRY_MS) throw new RetryLaterError(`${message} after ${attempt} tries`);
      await this.sleep(backoff);
    }
  }

  /** One request, no retries; throws only for network errors and timeouts. */
  private async once(request: JsonRequest): Promise<JsonResponse> {
    const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
    let body: string | undefined;
    if (request.body !== undefined) {
      headers['content-type'] ??= 'application/json; charset=utf-8';
      body = JSON.stringify(request.body);
    }
    const response = await this.fetch(request.url, {
      method: request.method,
      headers,
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(Math.max(1, Math.floor(Math.min(this.timeoutMs, sendTimeLeft())))),
    });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: response.status, headers: response.headers, body: parsed };
  }

  /** `HTTP 403, code 50007: Cannot send messages to this user`, scrubbed and capped. */
  private detail(request: JsonRequest, status: number, outcome: Exclude<Outcome, { kind: 'ok' }>): string {
    const parts = [`HTTP ${status}`];
    if (outcome.code !== undefined) parts.push(`code ${this.scrub(String(outcome.code), request.secrets)}`);
    const head = parts.join(', ');
    return outcome.description ? `${head}: ${this.scrub(outcome.description, request.secrets)}` : head;
  }

  private scrub(text: string, secrets: JsonRequest['secrets']): string {
    let out = text;
    for (const secret of secrets ?? []) {
      if (secret && secret.length >= 4) out = out.split(secret).join('***');
    }
    // URLs may carry a key in their query or a token in their path; a platform has no reason to echo one.
    out = out.replace(/https?:\/\/\S+/g, '<url>');
    return out.length > DESCRIPTION_MAX ? `${out.slice(0, DESCRIPTION_MAX)}…` : out;
  }
}

/** Why a fetch threw, in words that carry no URL: `timeout`, `ECONNREFUSED`, … */
export function networkReason(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timeout';
    const cause = (error as { cause?: { code?: unknown; name?: unknown } }).cause;
    if (cause && typeof cause.code === 'string') return `network error ${cause.code}`;
    if (cause && cause.name === 'ConnectTimeoutError') return 'connect timeout';
  }
  return 'network error';
}

/** `value` as a record to read fields from (an empty one when it is not an object). */
export function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** The base URL with no trailing slash. */
export const trimBase = (url: string): string => url.replace(/\/+$/, '');

/** What every platform sender takes besides its config: the HTTP tuning, and the clock and sleep its pacer shares. */
export type SenderOptions = HttpOptions;

/**
 * A deterministic id of at most `length` characters for a platform's
 * idempotency field (Discord `nonce`, Feishu `uuid`), so an in-process retry
 * of a send that did arrive is not posted twice.
 */
export function idempotencyKey(id: string, length: number): string {
  return id.length <= length ? id : createHash('sha256').update(id).digest('hex').slice(0, length);
}
