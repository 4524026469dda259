import * as z from 'zod';
import { METRICS } from './directions';

/** The `digest` section: when operators get the weekly email. */
export const digestSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    /** ISO weekday: 1 = Monday. */
    weekday: z.number().int().min(1).max(7).default(1),
    hour: z.number().int().min(0).max(23).default(9),
    /** A review of the month, on the first local day of the next one, at `hour`. */
    monthly: z.boolean().default(false),
    /** A review of the quarter, on the first local day of the next one, at `hour`. */
    quarterly: z.boolean().default(false),
  })
  .prefault({});

/** A metric the digest can measure a target against (docs/kpis.md). */
const metricSchema = z.enum(METRICS);

const day = z.iso.date({ error: 'must be a date YYYY-MM-DD' });

/**
 * The `targets` section: SMART targets, each a metric's value to reach by a
 * date (from a start date, by default the first digest that measures it);
 * rates are fractions (0.25, not 25).
 */
export const targetsSchema = z
  .array(
    z
      .strictObject({ metric: metricSchema, value: z.number().min(0), by: day, from: day.optional() })
      .refine((t) => !t.from || t.from < t.by, { message: 'from must be before by', path: ['from'] }),
  )
  .max(20)
  .default([]);
