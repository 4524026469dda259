import * as z from '../domain/zod';
import type { PlatformDefinition } from './definition';
import { platform as dingtalk } from './dingtalk/platform';
import { platform as discord } from './discord/platform';
import { platform as feishu } from './feishu/platform';
import { platform as generic } from './generic/platform';
import { platform as slack } from './slack/platform';
import { platform as telegram } from './telegram/platform';
import { platform as wecom } from './wecom/platform';

/**
 * Every platform Hearth speaks, in the order the docs list them: one entry per
 * platform folder (`shared/platforms/<name>/`, see docs/architecture.md). The
 * webhook path, the config schema, the inbound adapters, the outbound senders
 * and the CLI all read this list; nothing else names the platforms.
 */
export const PLATFORM_DEFINITIONS = [generic, slack, telegram, wecom, feishu, dingtalk, discord] as const;

type Definitions = typeof PLATFORM_DEFINITIONS;
type Configs<T extends readonly PlatformDefinition[]> = { -readonly [K in keyof T]: T[K]['config'] };

/** Platforms named in the webhook path (docs/contract.md). */
export type PlatformName = Definitions[number]['name'];
export const PLATFORMS: readonly PlatformName[] = PLATFORM_DEFINITIONS.map((p) => p.name);

/** Whether a path segment names a platform Hearth knows. */
export const isPlatformName = (name: string): name is PlatformName => (PLATFORMS as readonly string[]).includes(name);

/** A registered platform's definition. */
export function platformDefinition(name: PlatformName): PlatformDefinition {
  const definition = BY_NAME.get(name);
  if (!definition) throw new Error(`platform ${name} is not registered`);
  return definition;
}

const BY_NAME = new Map<string, PlatformDefinition>(PLATFORM_DEFINITIONS.map((p) => [p.name, p]));

/** The `platform` section of a community config: one of the platforms' own schemas, by `kind`. */
export const platformConfigSchema = z.discriminatedUnion(
  'kind',
  // The same tuple, mapped to its schemas (`map` does not keep a tuple's element types).
  PLATFORM_DEFINITIONS.map((p) => p.config) as Configs<Definitions>,
);
