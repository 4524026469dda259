import { InvokeStore, type InvokeStoreBase } from '@aws/lambda-invoke-store';

/**
 * The local runtime runs many invocations at once in one process, as Lambda Managed Instances do, and says so
 * as that runtime does: an invocation store (one AsyncLocalStorage context per invocation) and
 * `AWS_LAMBDA_MAX_CONCURRENCY`, which Powertools and the SDK read on every access. With both, each local
 * invocation's logger context (the function's name) and metrics buffer are its own rather than those of the
 * last invocation started.
 *
 * Loaded first by every local entry point (`npm start`, the CLI) and by the local functions: the store must
 * exist before the variable is set, and before Powertools is loaded in a process that inherited the variable.
 */
export const invokeStore: InvokeStoreBase = await InvokeStore.getInstanceAsync(true);
if (!isolatesInvocations(invokeStore)) {
  throw new Error('the invocation store was made before the local runtime loaded and cannot keep invocations apart');
}
// Powertools finds the store on `globalThis.awslambda`; without it there (AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA),
// the variable would make every log line throw.
if ((globalThis as { awslambda?: { InvokeStore?: unknown } }).awslambda?.InvokeStore !== invokeStore) {
  throw new Error('the invocation store is not on globalThis.awslambda: unset AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA');
}
process.env.AWS_LAMBDA_MAX_CONCURRENCY ??= '64';

/** Whether a run inside another keeps the outer one's values (one context per invocation, not one for all). */
function isolatesInvocations(store: InvokeStoreBase): boolean {
  const key = Symbol('probe');
  return store.run({ [key]: 'outer' }, () => {
    store.run({ [key]: 'inner' }, () => undefined);
    return store.get(key) === 'outer';
  });
}
