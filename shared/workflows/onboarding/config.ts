import { deliverySchema as delivery, templateNameSchema, urlSchema as url } from '../../domain/validation';
import * as z from '../../domain/zod';

/** One drip step: a message `afterDays` days after the join. */
const stepSchema = z.strictObject({
  afterDays: z.number().check(z.int(), z.minimum(1), z.maximum(90)),
  /** A shipped template (`onboarding.introduce`, `onboarding.thisWeek`) or one of the community's `templates`. */
  template: templateNameSchema,
});

/** The `onboarding` section: the welcome and the drip after it. */
export const onboardingSchema = z.prefault(
  z.strictObject({
    enabled: z._default(z.boolean(), true),
    delivery: z._default(delivery, 'channel'),
    /** Channel for channel delivery; absent means the platform's default channel. */
    channel: z.optional(z.string().check(z.minLength(1))),
    rulesUrl: z.optional(url),
    /** What the community is for, in a sentence; the welcome says it. */
    about: z.optional(z.string().check(z.minLength(1), z.maxLength(500))),
    /** The drip after the welcome. */
    steps: z
      ._default(z.array(stepSchema).check(z.maxLength(10)), [
        { afterDays: 1, template: 'onboarding.introduce' },
        { afterDays: 3, template: 'onboarding.thisWeek' },
      ])
      .check(
        z.refine((steps) => steps.every((s, i) => i === 0 || s.afterDays > steps[i - 1].afterDays), {
          message: 'afterDays must be increasing',
        }),
      ),
    /** A member who joins again within this many days of their last welcome is not onboarded again. */
    restartAfterDays: z._default(z.number().check(z.int(), z.minimum(0), z.maximum(90)), 30),
  }),
  {},
);
