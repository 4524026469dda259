import * as z from 'zod';
import { deliverySchema as delivery, templateNameSchema, urlSchema as url } from '../../domain/validation';

/** One drip step: a message `afterDays` days after the join. */
const stepSchema = z.strictObject({
  afterDays: z.number().int().min(1).max(90),
  /** A shipped template (`onboarding.introduce`, `onboarding.thisWeek`) or one of the community's `templates`. */
  template: templateNameSchema,
});

/** The `onboarding` section: the welcome and the drip after it. */
export const onboardingSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    delivery: delivery.default('channel'),
    /** Channel for channel delivery; absent means the platform's default channel. */
    channel: z.string().min(1).optional(),
    rulesUrl: url.optional(),
    /** What the community is for, in a sentence; the welcome says it. */
    about: z.string().min(1).max(500).optional(),
    /** The drip after the welcome. */
    steps: z
      .array(stepSchema)
      .max(10)
      .default([
        { afterDays: 1, template: 'onboarding.introduce' },
        { afterDays: 3, template: 'onboarding.thisWeek' },
      ])
      .refine((steps) => steps.every((s, i) => i === 0 || s.afterDays > steps[i - 1].afterDays), {
        message: 'afterDays must be increasing',
      }),
    /** A member who joins again within this many days of their last welcome is not onboarded again. */
    restartAfterDays: z.number().int().min(0).max(90).default(30),
  })
  .prefault({});
