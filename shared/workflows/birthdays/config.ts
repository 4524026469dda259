import * as z from 'zod';

/** The `birthdays` section. */
export const birthdaysSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    /** The local hour (the member's time zone, else the community's) the greeting is due. */
    hour: z.number().int().min(0).max(23).default(9),
    delivery: z.enum(['channel', 'dm', 'both']).default('channel'),
    /** Channel for the channel greeting; absent means the platform's default channel. */
    channel: z.string().min(1).optional(),
  })
  .prefault({});
