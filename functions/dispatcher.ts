import { type ChatSender, NoSenderError } from '../shared/chat/sender';
import { SesMailer } from '../shared/mail/ses';
import { chatSenderCache } from '../shared/platforms/outbound';
import { ENV, optionalEnv, requireEnv } from '../shared/runtime/env';
import { SsmSecrets } from '../shared/runtime/secrets';
import { CommunityCache } from '../shared/store/communities';
import { createDb } from '../shared/store/db';
import { createDispatcherHandler } from '../shared/workflows/handlers';

/** Scheduled every minute: deliver due outbox items. */
const db = createDb({ table: requireEnv(ENV.table), endpoint: optionalEnv(ENV.dynamoEndpoint) });

const senders = chatSenderCache(new SsmSecrets(requireEnv(ENV.secretsPrefix)));
/** A generic community has no chat platform to post to: its items are parked with the reason. */
const nowhere: ChatSender = {
  async send() {
    throw new NoSenderError('a generic community has no chat platform to post to');
  },
};

export const handler = createDispatcherHandler({
  db,
  communities: new CommunityCache(db),
  senderFor: (community) => senders(community) ?? nowhere,
  // The digest goes to operators through SES, from the stack's verified sender.
  mail: { mailer: new SesMailer(), from: requireEnv(ENV.mailFrom) },
});
