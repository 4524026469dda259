import { AsyncLocalStorage } from 'node:async_hooks';
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

/** A chat message ready to go out. */
export interface ChatMessage {
  id: string;
  communityId: string;
  platform: string;
  kind: string;
  memberId: string;
  /** To a channel (`channel`, or the community's default channel when null) or the member's DMs. */
  delivery: 'channel' | 'dm';
  channel: string | null;
  text: string;
  /** The member's display name, for a mention where the platform needs one. */
  memberName?: string;
  /** Mention the member in a channel post (a welcome, a greeting, a command's reply). */
  mention?: boolean;
  /** Whether a DM that cannot be delivered may go to the channel with a mention instead. */
  dmFallback?: boolean;
  /** Discord: the interaction whose deferred reply this is (a secret for 15 minutes; never logged or written out). */
  interactionToken?: string;
}

/** What a send did, when it is worth recording. */
export interface SendResult {
  /** Why a DM went to the channel instead (recorded on the outbox item). */
  fallback?: string;
}

/**
 * A platform's outbound side. A thrown error with `retryable: false` is not
 * retried; one with `retryAt` is retried no earlier than that.
 */
export interface ChatSender {
  send(message: ChatMessage, now: Date): Promise<SendResult | undefined>;
}

/**
 * The local stand-in for a platform without credentials: one JSON object a
 * line in `<data>/outbox/chat.jsonl` (DESIGN.md section 4), exactly
 * `{id, communityId, platform, kind, memberId, channel, text, sentAt}`.
 */
export class FileChatSender implements ChatSender {
  constructor(private readonly file: string) {}

  async send(message: ChatMessage, now: Date): Promise<undefined> {
    await mkdir(dirname(this.file), { recursive: true });
    // The contract's fields, picked one by one: the rest (memberName is personal data,
    // interactionToken a secret) must not reach the file, whatever ChatMessage gains later.
    const { id, communityId, platform, kind, memberId, channel, text } = message;
    const line = { id, communityId, platform, kind, memberId, channel, text, sentAt: now.toISOString() };
    // One appendFile call per line: O_APPEND keeps concurrent writers' lines whole.
    await appendFile(this.file, `${JSON.stringify(line)}\n`);
    return undefined;
  }
}

/** A failure that retrying will not change; the dispatcher parks the item as failed at once. */
export class UndeliverableError extends Error {
  override name = 'UndeliverableError';
  readonly retryable = false;
}

/**
 * A failure worth retrying, not before `retryAt` (a 429's Retry-After, a 5xx
 * after backoff). `attempted` is false when nothing was sent because Hearth's
 * own pacing held the message back: that costs the item none of its attempts.
 */
export class RetryLaterError extends Error {
  override name = 'RetryLaterError';
  readonly retryable = true;
  constructor(
    message: string,
    readonly retryAt?: Date,
    readonly attempted = true,
  ) {
    super(message);
  }
}

const sendDeadline = new AsyncLocalStorage<number>();

/**
 * Run `send` with a deadline `ms` from now: inside it, no request, retry or
 * pacing wait starts that could outlast it (the dispatcher's lease and the
 * Lambda's time), and what cannot is a `RetryLaterError` instead.
 */
export function withSendDeadline<T>(ms: number, send: () => Promise<T>): Promise<T> {
  return sendDeadline.run(performance.now() + ms, send);
}

/** Milliseconds left before the current send's deadline; Infinity outside one. */
export function sendTimeLeft(): number {
  const endsAt = sendDeadline.getStore();
  return endsAt === undefined ? Number.POSITIVE_INFINITY : endsAt - performance.now();
}

/** Thrown when there is no way to deliver to a platform. */
export class NoSenderError extends UndeliverableError {
  override name = 'NoSenderError';
}
