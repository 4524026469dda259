import { ENV, optionalEnv, requireEnv } from '../shared/runtime/env';
import { CommunityCache } from '../shared/store/communities';
import { createDb } from '../shared/store/db';
import { createOnboardingHandler } from '../shared/workflows/handlers';

/** Bus target for member.joined / member.left: queue the welcome, cancel on leave. */
const db = createDb({ table: requireEnv(ENV.table), endpoint: optionalEnv(ENV.dynamoEndpoint) });

export const handler = createOnboardingHandler({ db, communities: new CommunityCache(db) });
