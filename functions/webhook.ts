import { EventBridgePublisher } from '../shared/events/eventbridge';
import { ENV, optionalEnv, requireEnv } from '../shared/runtime/env';
import { pipelineMetrics } from '../shared/runtime/observability';
import { SsmSecrets } from '../shared/runtime/secrets';
import { CommunityCache } from '../shared/store/communities';
import { createDb } from '../shared/store/db';
import { ProfileCache } from '../shared/store/profile-cache';
import { createWebhookHandler } from '../shared/webhook/http';

/** POST/GET /webhooks/{platform}/{communityId}: verify, parse, dedupe, apply, publish. */
const db = createDb({ table: requireEnv(ENV.table), endpoint: optionalEnv(ENV.dynamoEndpoint) });

export const handler = createWebhookHandler({
  db,
  communities: new CommunityCache(db),
  secrets: new SsmSecrets(requireEnv(ENV.secretsPrefix)),
  publisher: new EventBridgePublisher(requireEnv(ENV.bus)),
  metrics: pipelineMetrics,
  profiles: new ProfileCache(),
});
