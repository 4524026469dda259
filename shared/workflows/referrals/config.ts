import { urlSchema as url } from '../../domain/validation';
import * as z from '../../domain/zod';

/** The `referrals` section: invite codes and links, and when a referral qualifies (README, "Referrals"). */
export const referralsSchema = z
  .prefault(
    z.strictObject({
      /** The link a member shares (`/invite`), with `{code}` where their code goes. */
      linkTemplate: z.optional(url.check(z.refine((link) => link.includes('{code}'), 'must contain {code}'))),
      /** A referral qualifies when the new member is active on `activeDays` distinct local days of the first `withinDays`. */
      qualify: z.prefault(
        z.strictObject({
          activeDays: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(30)), 2),
          /** The join's local day and the days after it, this many in all. */
          withinDays: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(90)), 14),
        }),
        {},
      ),
      /** At most this many referrals of one referrer qualify per local day; the rest are `capped`. */
      maxQualifiedPerDay: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(1000)), 5),
      /** Where the platform says when an account was made (Discord), a younger one at its join never qualifies. */
      minAccountAgeDays: z._default(z.number().check(z.int(), z.minimum(0), z.maximum(365)), 3),
      /** A thank-you to the referrer when a referral qualifies: by DM, in the channel, or none. */
      thankYou: z._default(z.enum(['off', 'dm', 'channel']), 'dm'),
    }),
    {},
  )
  .check(
    z.refine((referrals) => referrals.qualify.activeDays <= referrals.qualify.withinDays, {
      message: 'qualify.activeDays cannot be more than qualify.withinDays',
      path: ['qualify', 'activeDays'],
    }),
  );
