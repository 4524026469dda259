import { PLATFORMS, type PlatformName } from './registry';
import type { InboundModule, PlatformAdapter } from './types';

/**
 * The inbound adapters, one per registered platform, each from its folder's
 * `inbound.ts`. Loaded by name so that the registry stays the one list: the
 * bundler includes every `<platform>/inbound.ts` (and no `outbound.ts`) in the
 * webhook function, and all are loaded once, when this module is.
 */
const ADAPTERS = new Map<string, PlatformAdapter>(
  await Promise.all(
    PLATFORMS.map(async (name) => {
      const module = (await import(`./${name}/inbound.ts`)) as InboundModule;
      return [name, module.adapter] as const;
    }),
  ),
);

/** The adapter for a platform. */
export function adapterFor(platform: PlatformName): PlatformAdapter {
  const adapter = ADAPTERS.get(platform);
  if (!adapter) throw new Error(`platform ${platform} has no inbound adapter`);
  return adapter;
}
