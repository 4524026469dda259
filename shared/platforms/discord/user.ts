import * as z from '../../domain/zod';
import { SNOWFLAKE } from './snowflake';

/** A Discord id (snowflake) in a payload. */
export const snowflakeId = z.string().check(z.regex(SNOWFLAKE, 'must be a Discord snowflake'));

/** A Discord user as interactions and Gateway events carry it; only what Hearth reads (Discord adds fields). */
export const discordUser = z.looseObject({
  id: snowflakeId,
  username: z.string(),
  global_name: z.nullish(z.string()),
  bot: z.optional(z.boolean()),
});

/** The Hearth member profile of a Discord user: the display name, else the username. */
export function memberOf(user: z.infer<typeof discordUser>) {
  const name = user.global_name || user.username;
  return { id: user.id, ...(name ? { name } : {}), ...(user.bot !== undefined ? { isBot: user.bot } : {}) };
}
