import { AsyncLocalStorage } from 'node:async_hooks';
import { appendFile, type FileHandle, mkdir, open } from 'node:fs/promises';
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
  /** The message as posted in a channel, where the platform says (for counting the responses to it). */
  posted?: PostedMessage;
}

/**
 * A message as the platform posted it: its id in the form the platform's inbound events name the message a
 * reply answers or a reaction is on (`replyToMessage`, `messageId`: Slack `<channel>:<ts>`, Telegram
 * `<chat>:<message_id>`, Discord the message's snowflake), and the channel it went to.
 */
export interface PostedMessage {
  messageId: string;
  channel?: string;
}

/**
 * A platform's outbound side. A thrown error with `retryable: false` is not
 * retried; one with `retryAt` is retried no earlier than that.
 */
export interface ChatSender {
  send(message: ChatMessage, now: Date): Promise<SendResult | undefined>;
  /**
   * A personal invite link named after a referral `code`, where the platform makes them (Telegram's
   * `createChatInviteLink`): a join through it names the code. Undefined when it cannot make one here.
   */
  inviteLink?(code: string): Promise<string | undefined>;
}

/**
 * The local stand-in for a platform without credentials: one JSON object a
 * line in `<data>/outbox/chat.jsonl` (docs/contract.md), exactly
 * `{id, communityId, platform, kind, memberId, channel, text, sentAt}`.
 *
 * Idempotent by outbox id, across processes: the file is its own record of
 * what went out, so a message sent by a dispatcher that died before recording
 * it is not written again when the next run sends it. Before each line it
 * reads what any process appended since its last look (from the start again
 * when the file was replaced or cut short); one line is one `appendFile`
 * (O_APPEND), so lines stay whole. Two processes never send the same item at
 * once (the dispatcher's lease), so the check and the append need no lock.
 */
export class FileChatSender implements ChatSender {
  private readonly delivered = new Set<string>();
  /** How far into the file `delivered` has read (always at a line's end), and which file that was. */
  private readUpTo = 0;
  private inode: number | undefined;
  /** The last bytes read, ending at `readUpTo`. */
  private tail = Buffer.alloc(0);
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly file: string) {}

  send(message: ChatMessage, now: Date): Promise<SendResult | undefined> {
    // One send at a time in this process, so the catch-up read and the append cannot interleave.
    const sent = this.queue.then(() => this.sendOnce(message, now));
    this.queue = sent.catch(() => undefined);
    return sent;
  }

  /** A line's id is the message's id: a reply or reaction to it names that (`replyToMessage`, `messageId`). */
  private postedOf(message: ChatMessage): SendResult | undefined {
    if (message.delivery !== 'channel') return undefined;
    return { posted: { messageId: message.id, ...(message.channel ? { channel: message.channel } : {}) } };
  }

  private async sendOnce(message: ChatMessage, now: Date): Promise<SendResult | undefined> {
    await mkdir(dirname(this.file), { recursive: true });
    await this.catchUp();
    // Already in the file: delivered once, by this process or one that died before recording it.
    if (this.delivered.has(message.id)) return this.postedOf(message);
    // The contract's fields, picked one by one: the rest (memberName is personal data,
    // interactionToken a secret) must not reach the file, whatever ChatMessage gains later.
    const { id, communityId, platform, kind, memberId, channel, text } = message;
    const line = { id, communityId, platform, kind, memberId, channel, text, sentAt: now.toISOString() };
    await appendFile(this.file, `${JSON.stringify(line)}\n`);
    this.delivered.add(id);
    return this.postedOf(message);
  }

  /** Read the ids of the lines appended since the last look (by any process). */
  private async catchUp(): Promise<void> {
    let handle: FileHandle;
    try {
      handle = await open(this.file, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      this.forget();
      return;
    }
    try {
      const { size, ino } = await handle.stat();
      // Another file now, or this one rewritten (an operator cleared it, and it may have grown back): what it
      // records starts again. The bytes just before where the last look stopped tell a rewrite.
      if (ino !== this.inode || size < this.readUpTo || !(await this.sameTail(handle))) this.forget(ino);
      if (size <= this.readUpTo) return;
      const buffer = Buffer.alloc(size - this.readUpTo);
      await handle.read(buffer, 0, buffer.length, this.readUpTo);
      // Only whole lines: a line being appended right now is read on the next look.
      const end = buffer.lastIndexOf(0x0a);
      if (end < 0) return;
      for (const text of buffer.subarray(0, end).toString('utf8').split('\n')) {
        const id = idOfLine(text);
        if (id !== undefined) this.delivered.add(id);
      }
      this.readUpTo += end + 1;
      this.tail = buffer.subarray(Math.max(0, end + 1 - TAIL_BYTES), end + 1);
    } finally {
      await handle.close();
    }
  }

  /** Whether the file still holds, just before `readUpTo`, the bytes this sender last read there. */
  private async sameTail(handle: FileHandle): Promise<boolean> {
    if (this.tail.length === 0) return true;
    const bytes = Buffer.alloc(this.tail.length);
    await handle.read(bytes, 0, bytes.length, this.readUpTo - bytes.length);
    return bytes.equals(this.tail);
  }

  /** Start reading the file (`inode`, none when it is gone) from its beginning. */
  private forget(inode?: number): void {
    this.delivered.clear();
    this.readUpTo = 0;
    this.tail = Buffer.alloc(0);
    this.inode = inode;
  }
}

/** How much of what it read last a sender compares to tell a rewritten file: a line's id and more. */
const TAIL_BYTES = 256;

/** The outbox id of a chat.jsonl line, if it is one. */
function idOfLine(text: string): string | undefined {
  try {
    const id = (JSON.parse(text) as { id?: unknown }).id;
    return typeof id === 'string' ? id : undefined;
  } catch {
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
