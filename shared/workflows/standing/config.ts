import * as z from '../../domain/zod';

const count = (fallback: number) => z._default(z.number().check(z.int(), z.minimum(0), z.maximum(1_000_000)), fallback);

/** The `points` section: what each contribution earns (README, "Points, levels, badges"). */
export const pointsSchema = z.prefault(
  z.strictObject({
    /** A message, at most once per cooldown. */
    message: count(1),
    /** A reply to the member's message from someone else, once per replier and message. */
    replyReceived: count(2),
    /** A reaction to the member's message from someone else, once per reactor and message. */
    reactionReceived: count(1),
    /** A referral that qualified; not bounded by the daily cap. */
    referralQualified: count(20),
    /** A message earns only when the member's last earning message is at least this long before it. */
    messageCooldownSeconds: z._default(z.number().check(z.int(), z.minimum(0), z.maximum(86_400)), 60),
    /** The most points a member earns from activity in one local day. */
    dailyCap: count(50),
    /** A congratulation when a member reaches a new level: off, in the channel, or by DM. */
    levelUp: z._default(z.enum(['off', 'channel', 'dm']), 'off'),
    /** Channel for a level-up posted in the channel; absent means the platform's default channel. */
    channel: z.optional(z.string().check(z.minLength(1))),
  }),
  {},
);

/** What a tier asks of the last 28 local days; every field must hold. */
const thresholdSchema = (defaults: { activeDays: number; messages?: number; received?: number; referrals?: number }) =>
  z.prefault(
    z.strictObject({
      /** Distinct local days with an activity. */
      activeDays: z._default(z.number().check(z.int(), z.minimum(0), z.maximum(28)), defaults.activeDays),
      messages: count(defaults.messages ?? 0),
      /** Replies and reactions received from others. */
      received: count(defaults.received ?? 0),
      /** Referrals that qualified. */
      referrals: count(defaults.referrals ?? 0),
    }),
    {},
  );

/** The `tiers` section: the thresholds of the contribution tiers, lowest first (README, "Tiers"). */
export const tiersSchema = z.prefault(
  z.strictObject({
    /** A member who joined within this many days and has earned no tier yet is a newcomer. */
    newcomerDays: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(90)), 14),
    regular: thresholdSchema({ activeDays: 1 }),
    active: thresholdSchema({ activeDays: 4, messages: 10 }),
    core: thresholdSchema({ activeDays: 10, messages: 40, received: 20 }),
    champion: thresholdSchema({ activeDays: 16, messages: 80, received: 60, referrals: 1 }),
  }),
  {},
);

export type PointsConfig = z.infer<typeof pointsSchema>;
export type TiersConfig = z.infer<typeof tiersSchema>;
