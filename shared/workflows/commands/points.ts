/**
 * Points, until tiers define their own scoring: one for each message, one more
 * when it is a reply, one for each reaction given, over the days a member's
 * activity is kept.
 */
export const pointsOf = (totals: { messages: number; replies: number; reactions: number }): number =>
  totals.messages + totals.replies + totals.reactions;
