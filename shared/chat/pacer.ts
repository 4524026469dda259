import { realSleep } from './http';
import { RetryLaterError, sendTimeLeft } from './sender';

/**
 * In-process pacing, so a sender stays under a platform's published limits
 * instead of learning them from 429s: a minimum interval per key (Slack's
 * ~1 message a second per channel) and N per window per key (a robot's 20 a
 * minute). A send names every key it counts against (its channel, its bot);
 * it goes when all of them allow.
 *
 * Slots are reserved synchronously, before the wait, so concurrent sends in
 * one process queue behind each other instead of all going at once. A wait
 * longer than `maxWaitMs` is not served: `RetryLaterError` says when the send
 * may go, and the dispatcher reschedules it (a Lambda invocation should not
 * sleep for a minute). State lives as long as the sender, which is why the
 * dispatcher keeps one sender per community.
 */

/** One limit a send counts against. */
export interface PaceRule {
  /** What is limited: `channel:C123`, `bot`. */
  key: string;
  /** For errors: names the limit, never a secret (`per channel`). */
  label: string;
  /** At least this long between two sends on the key. */
  minIntervalMs?: number;
  /** At most `limit` sends on the key in any `windowMs`. */
  limit?: number;
  windowMs?: number;
}

/** Clock, sleep and the longest wait served in-process. */
export interface PacerOptions {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Default 10 s. */
  maxWaitMs?: number;
}

interface KeyState {
  /** Reserved send times, ascending; pruned to the longest window seen. */
  sends: number[];
  /** No send on the key before this (a platform said so). */
  heldUntil: number;
}

/** Paces sends against per-key limits; one per sender. */
export class Pacer {
  private readonly state = new Map<string, KeyState>();
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly maxWaitMs: number;

  constructor(
    /** The platform's name, first word of every error. */
    private readonly platform: string,
    options: PacerOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
    this.maxWaitMs = options.maxWaitMs ?? 10_000;
  }

  /**
   * How long a send under `rules` would wait now, and which rule is the
   * binding one; no state changes.
   */
  delay(rules: readonly PaceRule[]): { waitMs: number; rule?: PaceRule } {
    const now = this.now();
    let waitMs = 0;
    let binding: PaceRule | undefined;
    for (const rule of rules) {
      const at = this.earliest(rule, now);
      if (at - now > waitMs) {
        waitMs = at - now;
        binding = rule;
      }
    }
    return { waitMs, rule: binding };
  }

  /**
   * Wait until a send under `rules` may go and reserve its slot; throws
   * `RetryLaterError` (with the time it may go) when that is more than
   * `maxWaitMs` away.
   */
  async acquire(rules: readonly PaceRule[]): Promise<void> {
    const { waitMs, rule } = this.delay(rules);
    const at = this.now() + waitMs;
    // Not longer than the most a send may wait, nor past the current send's deadline (`withSendDeadline`).
    if (waitMs > Math.min(this.maxWaitMs, sendTimeLeft())) {
      throw new RetryLaterError(
        `${this.platform}: paced (${rule?.label ?? 'limit'}), may send in ${Math.ceil(waitMs / 1000)} s`,
        new Date(at),
        false,
      );
    }
    for (const r of rules) this.record(r, at);
    if (waitMs > 0) await this.sleep(waitMs);
  }

  /** No send on `key` before `until` (ms): a platform asked for a pause (a 429, a robot throttled for 10 minutes). */
  hold(key: string, until: number): void {
    const state = this.stateOf(key);
    state.heldUntil = Math.max(state.heldUntil, until);
  }

  private earliest(rule: PaceRule, now: number): number {
    const state = this.state.get(rule.key);
    if (!state) return now;
    let at = Math.max(now, state.heldUntil);
    const last = state.sends.at(-1);
    if (rule.minIntervalMs && last !== undefined) at = Math.max(at, last + rule.minIntervalMs);
    const { limit, windowMs } = rule;
    if (limit && windowMs) {
      // The send `limit` places back must have left the window before another may go.
      const inWindow = state.sends.filter((t) => t > at - windowMs);
      if (inWindow.length >= limit) at = Math.max(at, inWindow[inWindow.length - limit] + windowMs);
    }
    return at;
  }

  private record(rule: PaceRule, at: number): void {
    const state = this.stateOf(rule.key);
    state.sends.push(at);
    state.sends.sort((a, b) => a - b);
    const keep = Math.max(rule.windowMs ?? 0, rule.minIntervalMs ?? 0);
    const cutoff = at - keep;
    while (state.sends.length > 1 && state.sends[0] <= cutoff) state.sends.shift();
  }

  private stateOf(key: string): KeyState {
    let state = this.state.get(key);
    if (!state) {
      state = { sends: [], heldUntil: 0 };
      this.state.set(key, state);
    }
    return state;
  }
}
