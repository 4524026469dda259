import * as z from 'zod';
import { secretSchema, urlSchema } from '../../domain/validation';
import type { PlatformDefinition } from '../definition';

/** Feishu: its name in the webhook path and its part of the community config (`platform`). */
export const platform = {
  name: 'feishu',
  config: z.strictObject({
    kind: z.literal('feishu'),
    encryptKey: secretSchema.optional(),
    verificationToken: secretSchema,
    appId: secretSchema,
    appSecret: secretSchema,
    /** The group chat (`oc_…`) channel posts go to; without it, only replies and DMs can be sent. */
    chatId: z.string().min(1).optional(),
    apiBaseUrl: urlSchema.optional(),
  }),
} as const satisfies PlatformDefinition;

/** A community's Feishu platform config. */
export type FeishuConfig = z.infer<typeof platform.config>;
