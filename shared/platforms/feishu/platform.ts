import { secretSchema, urlSchema } from '../../domain/validation';
import * as z from '../../domain/zod';
import type { PlatformDefinition } from '../definition';

/** Feishu: its name in the webhook path and its part of the community config (`platform`). */
export const platform = {
  name: 'feishu',
  config: z.strictObject({
    kind: z.literal('feishu'),
    encryptKey: z.optional(secretSchema),
    verificationToken: secretSchema,
    appId: secretSchema,
    appSecret: secretSchema,
    /** The group chat (`oc_…`) channel posts go to; without it, only replies and DMs can be sent. */
    chatId: z.optional(z.string().check(z.minLength(1))),
    apiBaseUrl: z.optional(urlSchema),
  }),
} as const satisfies PlatformDefinition;

/** A community's Feishu platform config. */
export type FeishuConfig = z.infer<typeof platform.config>;
