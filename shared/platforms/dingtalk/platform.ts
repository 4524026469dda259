import { secretSchema, urlSchema } from '../../domain/validation';
import * as z from '../../domain/zod';
import type { PlatformDefinition } from '../definition';

/** DingTalk: its name in the webhook path and its part of the community config (`platform`). */
export const platform = {
  name: 'dingtalk',
  config: z.strictObject({
    kind: z.literal('dingtalk'),
    appSecret: secretSchema,
    robotToken: z.optional(secretSchema),
    apiBaseUrl: z.optional(urlSchema),
  }),
} as const satisfies PlatformDefinition;

/** A community's DingTalk platform config. */
export type DingtalkConfig = z.infer<typeof platform.config>;
