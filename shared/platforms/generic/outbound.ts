import type { ChatSender } from '../../chat/sender';

/**
 * A `generic` community has no platform API to post to: Hearth's messages for it are
 * read from the outbox (and, locally, from the file sender the stack falls back to).
 */
export const createSender = (): ChatSender | undefined => undefined;
