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

/** The `targets` section: what the digest measures progress against. */
export const targetsSchema = z
  .strictObject({
    wau: z.number().int().min(0).optional(),
    stickiness: z.number().min(0).max(1).optional(),
    activation: z.number().min(0).max(1).optional(),
  })
  .prefault({});
