import type { TemplateDefinition } from '../contract';
import { BADGES, type Tier } from './rules';

/** The template of a badge's name: `badge.firstMessage` for `first-message`. */
export const badgeTemplate = (badge: string): string =>
  `badge.${badge.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase())}`;

/** The template of a tier's name. */
export const tierTemplate = (tier: Tier): string => `tier.${tier}`;

const fragment = (en: string, zh: string): TemplateDefinition => ({
  vars: [],
  communityVars: 'exact',
  en,
  'zh-CN': zh,
});

/** The standing's texts (a community may override any of them, per locale: its own names for its tiers). */
export const templates: Record<string, TemplateDefinition> = {
  'level.up': {
    vars: ['name', 'community', 'level'],
    en: 'Congratulations, {name}: you reached level {level} in {community}!',
    'zh-CN': '恭喜 {name}：你在{community}升到了 {level} 级！',
  },
  // The tiers' names, as `/points` says them (the community plan's 潜水/新人/普通/活跃/核心/KOC).
  'tier.lurker': fragment('lurker', '潜水'),
  'tier.newcomer': fragment('newcomer', '新人'),
  'tier.regular': fragment('regular', '普通成员'),
  'tier.active': fragment('active', '活跃成员'),
  'tier.core': fragment('core', '核心成员'),
  'tier.champion': fragment('champion', 'KOC'),
  ...Object.fromEntries(BADGES.map((badge) => [badgeTemplate(badge.id), fragment(badge.en, badge['zh-CN'])])),
};
