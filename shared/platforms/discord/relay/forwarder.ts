import { setTimeout as delay } from 'node:timers/promises';
import { classifyHttp, networkReason, retryAfterHeaderMs } from '../../../chat/http';
import type { InboundEvent } from '../../../domain/events';
import { SIGNATURE_HEADER, signGeneric } from '../../generic/inbound';
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
  /** First backoff delay; it doubles each attempt up to a minute (default 500 ms). */
  baseDelayMs?: number;
  /** Waits `ms`; false when `signal` aborted the wait. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<boolean>;
  random?: () => number;
  log?: RelayLog;
}

const MAX_DELAY_MS = 60_000;
/** The longest `Retry-After` honoured. */
const MAX_RETRY_AFTER_MS = 300_000;
const TIMEOUT_MS = 10_000;

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
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<boolean>;
  private readonly random: () => number;
  private readonly log: RelayLog;

  constructor(private readonly options: WebhookForwarderOptions) {
    if (!/^https?:\/\//.test(options.url)) throw new Error('the webhook URL must be http(s)');
    if (!options.secret) throw new Error('the webhook secret is empty');
    this.maxAttempts = options.maxAttempts ?? 12;
    this.baseDelayMs = options.baseDelayMs ?? 500;
    this.sleep = options.sleep ?? abortableSleep;
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
        const response = await fetch(this.options.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            [SIGNATURE_HEADER]: signGeneric(this.options.secret, body, new Date()),
          },
          body,
          signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(TIMEOUT_MS)]) : AbortSignal.timeout(TIMEOUT_MS),
        });
        const reply = await response.text().catch(() => '');
        const outcome = classifyHttp({ status: response.status, headers: response.headers, body: undefined });
        if (outcome.kind === 'ok') return 'relayed';
        if (outcome.kind === 'refused') {
          this.log('warn', 'Hearth refused a relayed event; not retrying', {
            ...about,
            status: response.status,
            ...refusal(reply),
          });
          return 'rejected';
        }
        reason = `HTTP ${response.status}`;
        const asked = retryAfterHeaderMs(response.headers);
        wait = asked === undefined ? undefined : Math.min(asked, MAX_RETRY_AFTER_MS);
      } catch (error) {
        if (signal?.aborted) return 'aborted';
        reason = networkReason(error);
      }
      if (attempt >= this.maxAttempts) {
        this.log('error', 'gave up relaying an event', { ...about, attempts: attempt, reason });
        return 'failed';
      }
      // Exponential backoff with jitter (half fixed, half random), so several relays do not retry in step.
      const backoff = Math.min(MAX_DELAY_MS, this.baseDelayMs * 2 ** (attempt - 1));
      const ms = wait ?? Math.round(backoff / 2 + (this.random() * backoff) / 2);
      this.log('warn', 'relaying an event failed; retrying', { ...about, attempt, reason, retryInMs: ms });
      if (!(await this.sleep(ms, signal))) return 'aborted';
    }
  }
}
