import { isDay } from '../../domain/time';
import { birthdaySchema, templateNameSchema } from '../../domain/validation';
import * as z from '../../domain/zod';

/** The `anniversaries` section: a greeting on each chosen anniversary of a member's first join. */
export const anniversariesSchema = z.prefault(
  z.strictObject({
    enabled: z._default(z.boolean(), true),
    /** Which anniversaries are greeted, in years since the first join. */
    years: z
      ._default(
        z.array(z.number().check(z.int(), z.minimum(1), z.maximum(100))).check(z.minLength(1), z.maxLength(20)),
        [1, 2, 3, 5, 10],
      )
      .check(z.refine((years) => new Set(years).size === years.length, 'must not repeat a year')),
    /** The local hour (the member's time zone, else the community's) the greeting is due. */
    hour: z._default(z.number().check(z.int(), z.minimum(0), z.maximum(23)), 11),
    delivery: z._default(z.enum(['channel', 'dm', 'both']), 'channel'),
    /** Channel for the channel greeting; absent means the platform's default channel. */
    channel: z.optional(z.string().check(z.minLength(1))),
  }),
  {},
);

/** A holiday's date: `MM-DD` every year, or `YYYY-MM-DD` once (a festival whose date moves: list each year's). */
const holidayDateSchema = birthdaySchema.check(
  z.refine(
    // A month-day that is never a date is the first check's to report; this one finds 2027-02-29.
    (date) => date.length === 5 || !isDay(`2000${date.slice(4)}`) || isDay(date),
    'is not a date in that year',
  ),
);

/** One holiday the community greets on. */
const holidaySchema = z.strictObject({
  date: holidayDateSchema,
  /** A shipped holiday text (`holiday.newYear`, `holiday.springFestival`, `holiday.midAutumn`, `holiday`) or the community's own. */
  template: templateNameSchema,
  /** The local hour it is due: the community's zone for a channel post, each member's (else the community's) for members. */
  hour: z._default(z.number().check(z.int(), z.minimum(0), z.maximum(23)), 9),
  /** One post in the channel, or one message to each member under their guardrails. */
  audience: z._default(z.enum(['channel', 'members']), 'channel'),
  /** Channel for a channel post; absent means the platform's default channel. */
  channel: z.optional(z.string().check(z.minLength(1))),
});

/** The `holidays` section: the community's own holidays. */
export const holidaysSchema = z._default(z.array(holidaySchema).check(z.maxLength(50)), []);

export type Holiday = z.infer<typeof holidaySchema>;
