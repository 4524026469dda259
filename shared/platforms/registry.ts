import { dingtalkAdapter } from './dingtalk';
import { discordAdapter } from './discord';
import { feishuAdapter } from './feishu';
import { genericAdapter } from './generic';
import { slackAdapter } from './slack';
import { telegramAdapter } from './telegram';
import type { PlatformAdapter } from './types';
import { wecomAdapter } from './wecom';

/** Platforms named in the webhook path (docs/contract.md). */
export const PLATFORMS = ['generic', 'slack', 'telegram', 'wecom', 'feishu', 'dingtalk', 'discord'] as const;
export type PlatformName = (typeof PLATFORMS)[number];

const ADAPTERS: Record<PlatformName, PlatformAdapter> = {
  generic: genericAdapter,
  slack: slackAdapter,
  telegram: telegramAdapter,
  dingtalk: dingtalkAdapter,
  feishu: feishuAdapter,
  wecom: wecomAdapter,
  discord: discordAdapter,
};

/** Whether a path segment names a platform Hearth knows. */
export const isPlatformName = (name: string): name is PlatformName => (PLATFORMS as readonly string[]).includes(name);

/** The adapter for a platform. */
export const adapterFor = (platform: PlatformName): PlatformAdapter => ADAPTERS[platform];
