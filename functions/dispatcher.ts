import { NoSenderError } from '../shared/chat/sender';
import { ENV, optionalEnv, requireEnv } from '../shared/runtime/env';
import { CommunityCache } from '../shared/store/communities';
import { createDb } from '../shared/store/db';
import { createDispatcherHandler } from '../shared/workflows/handlers';

/** Scheduled every minute: deliver due outbox items. */
const db = createDb({ table: requireEnv(ENV.table), endpoint: optionalEnv(ENV.dynamoEndpoint) });

export const handler = createDispatcherHandler({
  db,
  communities: new CommunityCache(db),
  // Platform senders arrive with the chat-platform adapters; until then an item is parked with the reason.
  senderFor: (community) => ({
    async send() {
      throw new NoSenderError(`no sender for platform ${community.platform.kind} yet`);
    },
  }),
});
