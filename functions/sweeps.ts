import { ENV, optionalEnv, requireEnv } from '../shared/runtime/env';
import { createDb } from '../shared/store/db';
import { createSweepsHandler } from '../shared/workflows/handlers';

/** Scheduled hourly: the birthday, win-back and onboarding drip sweeps (the job names which). */
const db = createDb({ table: requireEnv(ENV.table), endpoint: optionalEnv(ENV.dynamoEndpoint) });

export const handler = createSweepsHandler({ db });
