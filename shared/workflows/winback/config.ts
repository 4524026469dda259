import * as z from 'zod';
import { deliverySchema as delivery } from '../../domain/validation';

/** The `winback` section: the ladder of win-backs to quiet members. */
export const winbackSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    /** Days of silence for each rung; the first also defines a "quiet spell". */
    ladderDays: z
      .array(z.number().int().min(1).max(365))
      .min(1)
      .default([14, 30])
      .refine((days) => days.every((d, i) => i === 0 || d > days[i - 1]), 'must be increasing'),
    /** The local hour (the member's time zone, else the community's) a win-back is due. */
    hour: z.number().int().min(0).max(23).default(10),
    /** A word to a quiet member goes privately by default. */
    delivery: delivery.default('dm'),
    channel: z.string().min(1).optional(),
  })
  .prefault({});
