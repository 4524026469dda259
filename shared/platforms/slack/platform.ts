import { secretSchema, urlSchema } from '../../domain/validation';
import * as z from '../../domain/zod';
import type { PlatformDefinition } from '../definition';

/** Slack: its name in the webhook path and its part of the community config (`platform`). */
export const platform = {
  name: 'slack',
  config: z.strictObject({
    kind: z.literal('slack'),
    signingSecret: secretSchema,
    botToken: secretSchema,
    /** The community is this channel; without it, the whole workspace. */
    channel: z.optional(z.string().check(z.minLength(1))),
    apiBaseUrl: z.optional(urlSchema),
  }),
} as const satisfies PlatformDefinition;

/** A community's Slack platform config. */
export type SlackConfig = z.infer<typeof platform.config>;
