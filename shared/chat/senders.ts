import type { CommunityConfig } from '../domain/config';
import type { SecretResolver } from '../runtime/secrets';
import { DingtalkSender } from './dingtalk';
import { DiscordSender } from './discord';
import { FeishuSender } from './feishu';
import type { ChatSender } from './sender';
import { SlackSender } from './slack';
import { TelegramSender } from './telegram';
import { WecomSender } from './wecom';

/**
 * The outbound sender for a community's platform, or undefined for a
 * `generic` community (no platform to post to: the caller falls back to the
 * file sender locally). A sender holds its pacing state, DM channel ids and
 * access tokens, so create one per community and keep it for the life of the
 * process (`chatSenderCache`).
 */
export function createChatSender(community: CommunityConfig, secrets: SecretResolver): ChatSender | undefined {
  const platform = community.platform;
  switch (platform.kind) {
    case 'slack':
      return new SlackSender(platform, secrets);
    case 'telegram':
      return new TelegramSender(platform, secrets);
    case 'wecom':
      return new WecomSender(platform, secrets);
    case 'feishu':
      return new FeishuSender(platform, secrets);
    case 'dingtalk':
      return new DingtalkSender(platform, secrets);
    case 'discord':
      return new DiscordSender(platform, secrets);
    case 'generic':
      return undefined;
  }
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
