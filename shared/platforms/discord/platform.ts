import { secretSchema, urlSchema } from '../../domain/validation';
import * as z from '../../domain/zod';
import type { PlatformDefinition } from '../definition';
import { SNOWFLAKE, snowflakeDate } from './snowflake';

/** Discord: its name in the webhook path and its part of the community config (`platform`). */
export const platform = {
  name: 'discord',
  config: z.strictObject({
    kind: z.literal('discord'),
    publicKey: z.string().check(z.regex(/^[0-9a-fA-F]{64}$/, 'must be the application public key (64 hex characters)')),
    applicationId: z.string().check(z.regex(/^\d+$/, 'must be a Discord application id')),
    botToken: secretSchema,
    /** The guild (server) that is the community; the relay forwards only its events. */
    guildId: z.optional(z.string().check(z.regex(/^\d+$/, 'must be a Discord guild id'))),
    /** The channel posts go to; without it, only replies and DMs can be sent. */
    channelId: z.optional(z.string().check(z.regex(/^\d+$/, 'must be a Discord channel id'))),
    apiBaseUrl: z.optional(urlSchema),
  }),
  // A user id is a snowflake, which says when the account was made.
  accountCreatedAt: (memberId: string) => (SNOWFLAKE.test(memberId) ? snowflakeDate(memberId) : undefined),
} as const satisfies PlatformDefinition;

/** A community's Discord platform config. */
export type DiscordConfig = z.infer<typeof platform.config>;
