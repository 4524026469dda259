import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

/** A chat message ready to go out. */
export interface ChatMessage {
  id: string;
  communityId: string;
  platform: string;
  kind: string;
  memberId: string;
  channel: string | null;
  text: string;
}

/** A platform's outbound side. A thrown error with `retryable: false` is not retried. */
export interface ChatSender {
  send(message: ChatMessage, now: Date): Promise<void>;
}

/**
 * The local stand-in for a platform without credentials: one JSON object a
 * line in `<data>/outbox/chat.jsonl` (DESIGN.md section 4).
 */
export class FileChatSender implements ChatSender {
  constructor(private readonly file: string) {}

  async send(message: ChatMessage, now: Date): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true });
    // One appendFile call per line: O_APPEND keeps concurrent writers' lines whole.
    await appendFile(this.file, `${JSON.stringify({ ...message, sentAt: now.toISOString() })}\n`);
  }
}

/** A failure that retrying will not change; the dispatcher parks the item as failed at once. */
export class UndeliverableError extends Error {
  override name = 'UndeliverableError';
  readonly retryable = false;
}

/** Thrown when there is no way to deliver to a platform. */
export class NoSenderError extends UndeliverableError {
  override name = 'NoSenderError';
}
