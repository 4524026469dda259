import * as z from 'zod';
import { secretSchema, urlSchema } from '../../domain/validation';
import type { PlatformDefinition } from '../definition';

/** Slack: its name in the webhook path and its part of the community config (`platform`). */
export const platform = {
  name: 'slack',
  config: z.strictObject({
    kind: z.literal('slack'),
    signingSecret: secretSchema,
    botToken: secretSchema,
    /** The community is this channel; without it, the whole workspace. */
    channel: z.string().min(1).optional(),
    apiBaseUrl: urlSchema.optional(),
  }),
} as const satisfies PlatformDefinition;

/** A community's Slack platform config. */
export type SlackConfig = z.infer<typeof platform.config>;
