import * as z from 'zod';
import { secretSchema, urlSchema } from '../../domain/validation';
import type { PlatformDefinition } from '../definition';

/** WeCom: its name in the webhook path and its part of the community config (`platform`). */
export const platform = {
  name: 'wecom',
  config: z.strictObject({
    kind: z.literal('wecom'),
    token: secretSchema,
    encodingAesKey: secretSchema,
    corpId: secretSchema,
    robotKey: secretSchema.optional(),
    /** The self-built app's AgentId and Secret: with both, DMs go as app messages (a robot cannot DM). */
    agentId: z.number().int().positive().optional(),
    corpSecret: secretSchema.optional(),
    apiBaseUrl: urlSchema.optional(),
  }),
} as const satisfies PlatformDefinition;

/** A community's WeCom platform config. */
export type WecomConfig = z.infer<typeof platform.config>;
