import { ENV, optionalEnv, requireEnv } from '../shared/runtime/env';
import { CommunityCache } from '../shared/store/communities';
import { createDb } from '../shared/store/db';
import { createLifecycleHandler } from '../shared/workflows/handlers';

/** Bus target for member lifecycle events: welcome on join, cancel on leave, count win-backs answered. */
const db = createDb({ table: requireEnv(ENV.table), endpoint: optionalEnv(ENV.dynamoEndpoint) });

export const handler = createLifecycleHandler({ db, communities: new CommunityCache(db) });
