import type { ChatSender } from '../chat/sender';
import type { CommunityConfig } from '../domain/config';
import type { SecretResolver } from '../runtime/secrets';
import { PLATFORMS } from './registry';
import type { OutboundModule } from './types';

/**
 * The outbound senders' factories, one per registered platform, each from its
 * folder's `outbound.ts`; loaded by name like the inbound adapters, so only
 * the dispatcher bundles them.
 */
const FACTORIES = new Map<string, OutboundModule['createSender']>(
  await Promise.all(
    PLATFORMS.map(async (name) => {
      const module = (await import(`./${name}/outbound.ts`)) as OutboundModule;
      return [name, module.createSender] as const;
    }),
  ),
);

/**
 * The outbound sender for a community's platform, or undefined for a
 * `generic` community (no platform to post to: the caller falls back to the
 * file sender locally). A sender holds its pacing state, DM channel ids and
 * access tokens, so create one per community and keep it for the life of the
 * process (`chatSenderCache`).
 */
export function createChatSender(community: CommunityConfig, secrets: SecretResolver): ChatSender | undefined {
  const create = FACTORIES.get(community.platform.kind);
  if (!create) throw new Error(`platform ${community.platform.kind} has no outbound sender`);
  return create(community.platform, secrets);
}

/**
 * `createChatSender` memoised per community: the same sender (and pacing
 * state) while the community's platform config is unchanged, a new one when
 * it changes (a rotated token, a new channel).
 */
export function chatSenderCache(secrets: SecretResolver): (community: CommunityConfig) => ChatSender | undefined {
  const cache = new Map<string, { platform: string; sender: ChatSender | undefined }>();
  return (community) => {
    const platform = JSON.stringify(community.platform);
    const hit = cache.get(community.id);
    if (hit && hit.platform === platform) return hit.sender;
    const sender = createChatSender(community, secrets);
    cache.set(community.id, { platform, sender });
    return sender;
  };
}
