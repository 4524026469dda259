import { setTimeout as delay } from 'node:timers/promises';
import type { InboundEvent } from '../domain/events';
import { signGeneric } from '../platforms/generic';
import { type RelayLog, silentLog } from './log';

/**
 * Delivery of relayed events to Hearth's generic webhook, signed with the
 * community's `webhookSecret` (`Hearth-Signature`, signed afresh on every
 * attempt so a late retry is not stale). Network errors, timeouts, 429 and
 * 5xx are retried with exponential backoff, or after `Retry-After` when Hearth
 * gives one; any other 4xx is Hearth refusing the event, which a retry would
 * not change, so it is logged (status, error code and field; never the body
 * sent) and dropped. A retried event keeps its id, so Hearth applies it once.
 */

/** What became of one event. */
export type ForwardOutcome = 'relayed' | 'rejected' | 'failed' | 'aborted';

/** Where relayed events go; the Relay needs only this. */
export interface EventForwarder {
  forward(event: InboundEvent, signal?: AbortSignal): Promise<ForwardOutcome>;
}

export interface WebhookForwarderOptions {
  /** The community's generic webhook, `…/webhooks/generic/<community>` (see `genericWebhookUrl`). */
  url: string;
  /** The community's `webhookSecret`, resolved. */
  secret: string;
  /** Attempts before an event is given up (default 12: about five minutes of backoff). */
  maxAttempts?: number;
  /** First backoff delay; it doubles each attempt up to `maxDelayMs` (defaults 500 ms and 60 s). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Longest `Retry-After` honoured (default 5 minutes). */
  maxRetryAfterMs?: number;
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Waits `ms`; false when `signal` aborted the wait. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<boolean>;
  clock?: () => Date;
  random?: () => number;
  log?: RelayLog;
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

/** Milliseconds a `Retry-After` value (seconds or an HTTP date) asks to wait, or undefined. */
export function retryAfterMs(value: string | null, now: Date): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

const abortableSleep = async (ms: number, signal?: AbortSignal): Promise<boolean> => {
  try {
    await delay(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
};

/** The `error` and `field` of a Hearth error reply (its other text is not logged). */
function refusal(text: string): Record<string, unknown> {
  try {
    const body = JSON.parse(text) as { error?: unknown; field?: unknown };
    return {
      ...(typeof body.error === 'string' ? { error: body.error } : {}),
      ...(typeof body.field === 'string' ? { field: body.field } : {}),
    };
  } catch {
    return {};
  }
}

/** Forwards events one POST each to the generic webhook, retrying what is worth retrying. */
export class WebhookForwarder implements EventForwarder {
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly timeoutMs: number;
  private readonly fetch: typeof fetch;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<boolean>;
  private readonly clock: () => Date;
  private readonly random: () => number;
  private readonly log: RelayLog;

  constructor(private readonly options: WebhookForwarderOptions) {
    if (!/^https?:\/\//.test(options.url)) throw new Error('the webhook URL must be http(s)');
    if (!options.secret) throw new Error('the webhook secret is empty');
    this.maxAttempts = options.maxAttempts ?? 12;
    this.baseDelayMs = options.baseDelayMs ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 60_000;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 300_000;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.fetch = options.fetch ?? fetch;
    this.sleep = options.sleep ?? abortableSleep;
    this.clock = options.clock ?? (() => new Date());
    this.random = options.random ?? Math.random;
    this.log = options.log ?? silentLog;
    if (this.maxAttempts < 1) throw new Error('maxAttempts must be at least 1');
  }

  async forward(event: InboundEvent, signal?: AbortSignal): Promise<ForwardOutcome> {
    const body = JSON.stringify(event);
    const about = { eventId: event.id, type: event.type };
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) return 'aborted';
      let reason: string;
      let wait: number | undefined;
      try {
        const response = await this.fetch(this.options.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'hearth-signature': signGeneric(this.options.secret, body, this.clock()),
          },
          body,
          signal: signal
            ? AbortSignal.any([signal, AbortSignal.timeout(this.timeoutMs)])
            : AbortSignal.timeout(this.timeoutMs),
        });
        const reply = await response.text().catch(() => '');
        if (response.ok) return 'relayed';
        if (response.status !== 429 && response.status < 500) {
          this.log('warn', 'Hearth refused a relayed event; not retrying', {
            ...about,
            status: response.status,
            ...refusal(reply),
          });
          return 'rejected';
        }
        reason = `HTTP ${response.status}`;
        const asked = retryAfterMs(response.headers.get('retry-after'), this.clock());
        wait = asked === undefined ? undefined : Math.min(asked, this.maxRetryAfterMs);
      } catch (error) {
        if (signal?.aborted) return 'aborted';
        const cause = (error as { cause?: { code?: unknown } }).cause;
        reason =
          (error as Error).name === 'TimeoutError'
            ? 'timeout'
            : typeof cause?.code === 'string'
              ? cause.code
              : 'network error';
      }
      if (attempt >= this.maxAttempts) {
        this.log('error', 'gave up relaying an event', { ...about, attempts: attempt, reason });
        return 'failed';
      }
      // Exponential backoff with jitter (half fixed, half random), so several relays do not retry in step.
      const backoff = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
      const ms = wait ?? Math.round(backoff / 2 + (this.random() * backoff) / 2);
      this.log('warn', 'relaying an event failed; retrying', { ...about, attempt, reason, retryInMs: ms });
      if (!(await this.sleep(ms, signal))) return 'aborted';
    }
  }
}
