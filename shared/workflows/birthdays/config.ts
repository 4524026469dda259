import * as z from '../../domain/zod';

/** The `birthdays` section. */
export const birthdaysSchema = z.prefault(
  z.strictObject({
    enabled: z._default(z.boolean(), true),
    /** The local hour (the member's time zone, else the community's) the greeting is due. */
    hour: z._default(z.number().check(z.int(), z.minimum(0), z.maximum(23)), 9),
    delivery: z._default(z.enum(['channel', 'dm', 'both']), 'channel'),
    /** Channel for the channel greeting; absent means the platform's default channel. */
    channel: z.optional(z.string().check(z.minLength(1))),
  }),
  {},
);
