import * as z from 'zod';
import { urlSchema as url } from '../../domain/validation';

/** The `referrals` section: invite codes and links, and when a referral qualifies (README, "Referrals"). */
export const referralsSchema = z
  .strictObject({
    /** The link a member shares (`/invite`), with `{code}` where their code goes. */
    linkTemplate: url.refine((link) => link.includes('{code}'), 'must contain {code}').optional(),
    /** A referral qualifies when the new member is active on `activeDays` distinct local days of the first `withinDays`. */
    qualify: z
      .strictObject({
        activeDays: z.number().int().min(1).max(30).default(2),
        /** The join's local day and the days after it, this many in all. */
        withinDays: z.number().int().min(1).max(90).default(14),
      })
      .prefault({}),
    /** At most this many referrals of one referrer qualify per local day; the rest are `capped`. */
    maxQualifiedPerDay: z.number().int().min(1).max(1000).default(5),
    /** Where the platform says when an account was made (Discord), a younger one at its join never qualifies. */
    minAccountAgeDays: z.number().int().min(0).max(365).default(3),
    /** A thank-you to the referrer when a referral qualifies: by DM, in the channel, or none. */
    thankYou: z.enum(['off', 'dm', 'channel']).default('dm'),
  })
  .prefault({})
  .refine((referrals) => referrals.qualify.activeDays <= referrals.qualify.withinDays, {
    message: 'qualify.activeDays cannot be more than qualify.withinDays',
    path: ['qualify', 'activeDays'],
  });
