import * as z from 'zod';

/** The `digest` section: when operators get the weekly email. */
export const digestSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    /** ISO weekday: 1 = Monday. */
    weekday: z.number().int().min(1).max(7).default(1),
    hour: z.number().int().min(0).max(23).default(9),
  })
  .prefault({});

/** A metric the digest can measure a target against (docs/kpis.md). */
const metricSchema = z.enum([
  'members',
  'joins',
  'leaves',
  'net',
  'growthRate',
  'wau',
  'avgDau',
  'mau',
  'stickiness',
  'messages',
  'replies',
  'reactions',
  'messagesPerActive',
  'interactionRate',
  'activation',
  'churn',
  'winbackSuccess',
]);

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
