import { deliverySchema as delivery } from '../../domain/validation';
import * as z from '../../domain/zod';

/** The `winback` section: the ladder of win-backs to quiet members. */
export const winbackSchema = z.prefault(
  z.strictObject({
    enabled: z._default(z.boolean(), true),
    /** Days of silence for each rung; the first also defines a "quiet spell". */
    ladderDays: z
      ._default(z.array(z.number().check(z.int(), z.minimum(1), z.maximum(365))).check(z.minLength(1)), [14, 30])
      .check(z.refine((days) => days.every((d, i) => i === 0 || d > days[i - 1]), 'must be increasing')),
    /** The local hour (the member's time zone, else the community's) a win-back is due. */
    hour: z._default(z.number().check(z.int(), z.minimum(0), z.maximum(23)), 10),
    /** A word to a quiet member goes privately by default. */
    delivery: z._default(delivery, 'dm'),
    channel: z.optional(z.string().check(z.minLength(1))),
  }),
  {},
);
