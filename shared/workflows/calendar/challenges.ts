import { addDays, daysBetween, instantAt } from '../../domain/time';
import { templateNameSchema } from '../../domain/validation';
import * as z from '../../domain/zod';
import { daySchema, entryIdSchema } from './config';

/**
 * Check-in challenges (打卡): members check in once a day, with `/checkin` or a message holding the
 * challenge's keyword, for `days` days from `start`; Hearth posts a daily prompt at `hour` and answers each
 * check-in. Days are the community's local days, the same for every member: the day a prompt opens is the
 * day a check-in counts for, and two members' streaks mean the same thing. A missed day breaks the streak;
 * checking in on every day of the challenge completes it, which earns its points and the
 * `challenge-complete` badge, once.
 */

/** The longest challenge: 打卡 runs are 7, 21 or 30 days; 60 leaves room. */
export const MAX_CHALLENGE_DAYS = 60;

/** One check-in challenge. */
const challengeSchema = z.strictObject({
  id: entryIdSchema,
  /** The first local day. */
  start: daySchema,
  /** How many days it runs, `start` included. */
  days: z.number().check(z.int(), z.minimum(1), z.maximum(MAX_CHALLENGE_DAYS)),
  /** The local hour of the daily prompt. */
  hour: z._default(z.number().check(z.int(), z.minimum(0), z.maximum(23)), 9),
  /** A word or phrase that checks in when a message holds it (besides `/checkin`), any case. */
  keyword: z.optional(z.string().check(z.minLength(1), z.maxLength(40), z.trim())),
  /** Channel of the prompt; absent means the platform's default channel. */
  channel: z.optional(z.string().check(z.minLength(1))),
  /** The operator responsible, named in the digest. */
  owner: z.optional(z.string().check(z.minLength(1), z.maxLength(80))),
  /** The prompt's text (a community may name its own). */
  template: z._default(templateNameSchema, 'challenge.prompt'),
  /** Points for completing it (none for staff and bots, as for every point). */
  points: z._default(z.number().check(z.int(), z.minimum(0), z.maximum(10_000)), 50),
});

/** The `challenges` section: the community's check-in challenges. */
export const challengesSchema = z._default(
  z.array(challengeSchema).check(
    z.maxLength(20),
    z.refine((all) => new Set(all.map((c) => c.id)).size === all.length, 'must not repeat a challenge id'),
  ),
  [],
);

export type Challenge = z.infer<typeof challengeSchema>;

/** The challenge's last local day. */
export const lastDayOf = (challenge: Pick<Challenge, 'start' | 'days'>): string =>
  addDays(challenge.start, challenge.days - 1);

/** Which day of the challenge a local day is (1 for its start), or undefined outside it. */
export function challengeDay(challenge: Pick<Challenge, 'start' | 'days'>, day: string): number | undefined {
  const n = daysBetween(challenge.start, day) + 1;
  return n >= 1 && n <= challenge.days ? n : undefined;
}

/** The daily prompts of a challenge from `from` (inclusive) to `to` (exclusive), in `zone`. */
export function promptsBetween(
  challenge: Challenge,
  zone: string,
  from: Date,
  to: Date,
): Array<{ at: Date; day: number; localDay: string }> {
  const prompts = [];
  for (let n = 1; n <= challenge.days; n++) {
    const localDay = addDays(challenge.start, n - 1);
    // A prompt hour that a spring-forward day skips is moved past the gap: the day still opens.
    const at = instantAt({ day: localDay, hour: challenge.hour }, zone);
    if (at >= from && at < to) prompts.push({ at, day: n, localDay });
  }
  return prompts;
}

/** Whether a message's text checks in to a challenge by its keyword (a whole word, or anywhere for CJK). */
export function holdsKeyword(challenge: Pick<Challenge, 'keyword'>, text: string | undefined): boolean {
  if (!challenge.keyword || !text) return false;
  const keyword = challenge.keyword.toLowerCase();
  const lower = text.toLowerCase();
  if (!/^[\p{L}\p{N}_ -]+$/u.test(keyword) || !/[a-z0-9]/.test(keyword)) return lower.includes(keyword);
  // A Latin keyword is a whole word: `#day1` and `Checkin!` count, `checking` does not.
  let from = lower.indexOf(keyword);
  while (from !== -1) {
    const before = lower[from - 1];
    const after = lower[from + keyword.length];
    if (!isWordChar(before) && !isWordChar(after)) return true;
    from = lower.indexOf(keyword, from + 1);
  }
  return false;
}

const isWordChar = (c: string | undefined): boolean => c !== undefined && /[\p{L}\p{N}_]/u.test(c);

/** A member's progress in a challenge, from the days they checked in. */
export interface Progress {
  /** Days checked in. */
  count: number;
  /** The run of consecutive days that ends on the latest one checked in. */
  streak: number;
  /** The longest run of consecutive days. */
  best: number;
  /** The latest day checked in. */
  lastDay: string;
}

/** Progress from the local days checked in (any order, each once). */
export function progressOf(days: readonly string[]): Progress {
  const sorted = [...new Set(days)].sort();
  let streak = 0;
  let best = 0;
  sorted.forEach((day, i) => {
    streak = i > 0 && daysBetween(sorted[i - 1], day) === 1 ? streak + 1 : 1;
    best = Math.max(best, streak);
  });
  return { count: sorted.length, streak, best, lastDay: sorted.at(-1) ?? '' };
}
