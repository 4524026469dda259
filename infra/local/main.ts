/**
 * `npm start`: the local stack in the foreground until Ctrl-C. Environment:
 * PORT (3000), HEARTH_DATA_DIR (.hearth), HEARTH_SCHEDULES (on|off).
 */
import { fileURLToPath } from 'node:url';

// Quiet, local defaults, set before the handlers' modules read them.
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// First: the invocation store every local invocation runs in (see invoke-store.ts).
await import('./invoke-store');
const { startLocalStack } = await import('./stack');
const { banner } = await import('./banner');

const port = Number(process.env.PORT ?? 3000);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a port number, got "${process.env.PORT}"`);
  process.exit(2);
}
const schedules = (process.env.HEARTH_SCHEDULES ?? 'on') !== 'off';
const { DataFolderInUseError } = await import('./dynamo');
const stack = await startLocalStack({
  dataDir: process.env.HEARTH_DATA_DIR ?? '.hearth',
  port,
  schedules,
  demoConfigFile: fileURLToPath(new URL('../../examples/community.json', import.meta.url)),
}).catch((error: unknown) => {
  if (error instanceof DataFolderInUseError) {
    console.error(`npm start: ${error.message}. Stop it, or give this one its own HEARTH_DATA_DIR.`);
  } else if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    console.error(`npm start: port ${port} is in use; set PORT to another one.`);
  } else {
    console.error(error);
  }
  process.exit(1);
});
console.log(banner(stack, schedules));

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping…`);
  await stack.stop();
  console.log('stopped; data kept in', stack.dataDir);
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
