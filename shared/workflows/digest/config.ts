import * as z from '../../domain/zod';
import { METRICS } from './directions';

/** The `digest` section: when operators get the weekly email. */
export const digestSchema = z.prefault(
  z.strictObject({
    enabled: z._default(z.boolean(), true),
    /** ISO weekday: 1 = Monday. */
    weekday: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(7)), 1),
    hour: z._default(z.number().check(z.int(), z.minimum(0), z.maximum(23)), 9),
    /** A review of the month, on the first local day of the next one, at `hour`. */
    monthly: z._default(z.boolean(), false),
    /** A review of the quarter, on the first local day of the next one, at `hour`. */
    quarterly: z._default(z.boolean(), false),
  }),
  {},
);

/** A metric the digest can measure a target against (docs/kpis.md). */
const metricSchema = z.enum(METRICS);

const day = z.iso.date({ error: 'must be a date YYYY-MM-DD' });

/**
 * The `targets` section: SMART targets, each a metric's value to reach by a
 * date (from a start date, by default the first digest that measures it);
 * rates are fractions (0.25, not 25).
 */
export const targetsSchema = z._default(
  z
    .array(
      z
        .strictObject({
          metric: metricSchema,
          value: z.number().check(z.minimum(0)),
          by: day,
          from: z.optional(day),
        })
        .check(z.refine((t) => !t.from || t.from < t.by, { message: 'from must be before by', path: ['from'] })),
    )
    .check(z.maxLength(20)),
  [],
);
