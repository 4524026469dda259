import { DateTime } from 'luxon';
import * as z from 'zod';
import { birthdaySchema, templateNameSchema } from '../../domain/validation';

/** The `anniversaries` section: a greeting on each chosen anniversary of a member's first join. */
export const anniversariesSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    /** Which anniversaries are greeted, in years since the first join. */
    years: z
      .array(z.number().int().min(1).max(100))
      .min(1)
      .max(20)
      .default([1, 2, 3, 5, 10])
      .refine((years) => new Set(years).size === years.length, 'must not repeat a year'),
    /** The local hour (the member's time zone, else the community's) the greeting is due. */
    hour: z.number().int().min(0).max(23).default(11),
    delivery: z.enum(['channel', 'dm', 'both']).default('channel'),
    /** Channel for the channel greeting; absent means the platform's default channel. */
    channel: z.string().min(1).optional(),
  })
  .prefault({});

/** A holiday's date: `MM-DD` every year, or `YYYY-MM-DD` once (a festival whose date moves: list each year's). */
const holidayDateSchema = birthdaySchema.refine(
  // A month-day that is never a date is the first check's to report; this one finds 2027-02-29.
  (date) => date.length === 5 || !DateTime.fromISO(`2000${date.slice(4)}`).isValid || DateTime.fromISO(date).isValid,
  'is not a date in that year',
);

/** One holiday the community greets on. */
const holidaySchema = z.strictObject({
  date: holidayDateSchema,
  /** A shipped holiday text (`holiday.newYear`, `holiday.springFestival`, `holiday.midAutumn`, `holiday`) or the community's own. */
  template: templateNameSchema,
  /** The local hour it is due: the community's zone for a channel post, each member's (else the community's) for members. */
  hour: z.number().int().min(0).max(23).default(9),
  /** One post in the channel, or one message to each member under their guardrails. */
  audience: z.enum(['channel', 'members']).default('channel'),
  /** Channel for a channel post; absent means the platform's default channel. */
  channel: z.string().min(1).optional(),
});

/** The `holidays` section: the community's own holidays. */
export const holidaysSchema = z.array(holidaySchema).max(50).default([]);

export type Holiday = z.infer<typeof holidaySchema>;
