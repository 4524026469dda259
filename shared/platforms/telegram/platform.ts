import { secretSchema, urlSchema } from '../../domain/validation';
import * as z from '../../domain/zod';
import type { PlatformDefinition } from '../definition';

/** Telegram: its name in the webhook path and its part of the community config (`platform`). */
export const platform = {
  name: 'telegram',
  config: z.strictObject({
    kind: z.literal('telegram'),
    secretToken: secretSchema,
    botToken: secretSchema,
    /** The community is this group (its chat id); without it, every chat the bot is in. */
    chatId: z.optional(z.string().check(z.regex(/^-?\d+$/, 'must be a Telegram chat id'))),
    /**
     * The bot's username without `@` (`HearthBot`). In a group with several bots, `/start@OtherBot`
     * is then told apart from Hearth's; without it, a command naming a bot is answered only when its
     * name is Hearth's own (`/birthday`, `/optout`, …), never the generic `/start` or `/help`.
     */
    botUsername: z.optional(
      z.string().check(z.regex(/^[A-Za-z][A-Za-z0-9_]{3,31}$/, "must be the bot's username without @")),
    ),
    /**
     * Where joins and leaves come from: `chat_member` updates (the bot is an admin and asks for them;
     * they carry the invite link, so referrals can be attributed) or the group's service messages.
     */
    joins: z._default(z.enum(['chat_member', 'service_message']), 'chat_member'),
    apiBaseUrl: z.optional(urlSchema),
  }),
} as const satisfies PlatformDefinition;

/** A community's Telegram platform config. */
export type TelegramConfig = z.infer<typeof platform.config>;
