import { secretSchema, urlSchema } from '../../domain/validation';
import * as z from '../../domain/zod';
import type { PlatformDefinition } from '../definition';

/** WeCom: its name in the webhook path and its part of the community config (`platform`). */
export const platform = {
  name: 'wecom',
  config: z.strictObject({
    kind: z.literal('wecom'),
    token: secretSchema,
    encodingAesKey: secretSchema,
    corpId: secretSchema,
    robotKey: z.optional(secretSchema),
    /** The self-built app's AgentId and Secret: with both, DMs go as app messages (a robot cannot DM). */
    agentId: z.optional(z.number().check(z.int(), z.positive())),
    corpSecret: z.optional(secretSchema),
    apiBaseUrl: z.optional(urlSchema),
  }),
} as const satisfies PlatformDefinition;

/** A community's WeCom platform config. */
export type WecomConfig = z.infer<typeof platform.config>;
