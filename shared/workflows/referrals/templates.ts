import type { TemplateDefinition } from '../contract';

/** The referrals' texts (a community may override any of them, per locale). */
export const templates = {
  'referral.thanks': {
    vars: ['name', 'community', 'points'],
    en: 'Thank you, {name}: someone you invited has settled into {community}. That earned you {points} points.',
    'zh-CN': '谢谢你，{name}：你邀请的朋友已经在{community}安顿下来，你获得了 {points} 积分。',
  },
} as const satisfies Record<string, TemplateDefinition>;
