#!/usr/bin/env node
// The operator CLI. The project ships TypeScript sources; tsx loads them.
import { register } from 'tsx/esm/api';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
register();
// First: the invocation store the local functions run in, before anything loads Powertools.
await import('../infra/local/invoke-store.ts');
await import('../cli/main.ts');
