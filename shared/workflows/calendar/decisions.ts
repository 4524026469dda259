import type { CommunityConfig } from '../../domain/config';
import { endOfLocalDay } from '../../domain/lifecycle';
import { dayIn } from '../../domain/time';
import { logger } from '../../runtime/observability';
import type { Db } from '../../store/db';
import { enqueue, outboxWithPrefix, settle } from '../../store/outbox';
import { getSweepMark, setSweepMark } from '../../store/sweeps';
import { watchDue } from '../../store/watches';
import { COMMUNITY_RECIPIENT } from '../contract';
import { eachCommunity, type SweepOptions } from '../sweep';
import { promptsBetween } from './challenges';
import { postId, postIdPrefix } from './ids';
import { type Occurrence, occurrencesBetween } from './occurrences';

const HOUR_MS = 3_600_000;
/** How far back a run looks at least: the hour before (its mark may be further back, after missed runs). */
const LOOK_BACK_MS = HOUR_MS;
/** The furthest back a run catches up after missed runs: a post a day late is news no one wants. */
const MAX_CATCH_UP_MS = 24 * HOUR_MS;

/** What one run of the calendar job did. */
export interface CalendarReport {
  communities: number;
  /** Posts whose time fell in the runs' windows. */
  found: number;
  /** Outbox items that are new. */
  queued: number;
  /** Entries whose rule the recurrence library refused (named in the log). */
  refused: number;
}

/**
 * The `calendar` job, at 50 past each hour: every post due from where the last run got to until the end of
 * the next hour goes into the outbox, due at its minute, so the dispatcher (every minute) posts it on time.
 * A post whose minute has passed (the job was late, or an entry was added after its window) goes now, until
 * the end of its local day. `calendar add` runs this for its community at once (as of now), so a post added
 * for the coming hour is queued then, not at the next run. Posts wait out the community's quiet hours like any other channel post.
 */
export async function calendarSweep(
  db: Db,
  communities: readonly CommunityConfig[],
  now: Date,
  options: SweepOptions,
): Promise<CalendarReport> {
  const report: CalendarReport = { communities: 0, found: 0, queued: 0, refused: 0 };
  const to = new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS + 2 * HOUR_MS);
  await eachCommunity('calendar', communities, async (community) => {
    if (community.calendar.length === 0 && community.challenges.length === 0) return;
    report.communities++;
    const mark = options.asOf ? undefined : await getSweepMark(db, 'calendar', community.id);
    // From where the last run got to, and never less than the hour before: an entry added since that run,
    // for a time that run had already looked past, is still found (its id makes a second look harmless).
    const lookBack = now.getTime() - LOOK_BACK_MS;
    const from = new Date(
      Math.max(Math.min(mark ? Date.parse(mark) : lookBack, lookBack), now.getTime() - MAX_CATCH_UP_MS),
    );
    for (const entry of community.calendar) {
      let occurrences: Occurrence[];
      try {
        occurrences = occurrencesBetween(entry, community.timezone, from, to);
      } catch (error) {
        report.refused++;
        logger.error('calendar entry refused by the recurrence library', {
          communityId: community.id,
          entry: entry.id,
          error: error as Error,
        });
        continue;
      }
      for (const occurrence of occurrences) {
        report.found++;
        const template = occurrence.reminder ? (entry.reminderTemplate ?? entry.template) : entry.template;
        if (await queuePost(db, community, { occurrence, template, channel: entry.channel, vars: {} }, now)) {
          report.queued++;
        }
      }
    }
    // Each check-in challenge's daily prompt, a post under the challenge's id.
    for (const challenge of community.challenges) {
      for (const prompt of promptsBetween(challenge, community.timezone, from, to)) {
        report.found++;
        const vars = {
          challenge: challenge.id,
          day: String(prompt.day),
          days: String(challenge.days),
          how: challenge.keyword ? `/checkin · ${challenge.keyword}` : '/checkin',
        };
        if (
          await queuePost(
            db,
            community,
            {
              occurrence: { entry: challenge.id, at: prompt.at },
              template: challenge.template,
              channel: challenge.channel,
              vars,
            },
            now,
          )
        ) {
          report.queued++;
        }
      }
    }
    if (!options.asOf) await setSweepMark(db, 'calendar', to.toISOString(), community.id);
  });
  return report;
}

/** One post to queue: its occurrence, its text and where it goes. */
interface PlannedPost {
  occurrence: Pick<Occurrence, 'entry' | 'at'>;
  template: string;
  channel?: string;
  vars: Record<string, string>;
}

/** Queue one post, once; false when it was queued before or its day has ended. */
async function queuePost(db: Db, community: CommunityConfig, post: PlannedPost, now: Date): Promise<boolean> {
  const { occurrence } = post;
  const notAfter = endOfLocalDay(dayIn(occurrence.at, community.timezone), community.timezone);
  if (notAfter <= now) return false;
  const id = postId(community.id, occurrence);
  const dueAt = occurrence.at > now ? occurrence.at : now;
  const queued = await enqueue(
    db,
    {
      id,
      communityId: community.id,
      kind: 'post',
      memberId: COMMUNITY_RECIPIENT,
      template: post.template,
      vars: post.vars,
      delivery: 'channel',
      ...(post.channel ? { channel: post.channel } : {}),
      dueAt: dueAt.toISOString(),
      notAfter: notAfter.toISOString(),
    },
    now,
  );
  // Its responses are counted (`watched`): the webhook is told when it goes, so it misses none of the first.
  if (queued) {
    await watchDue(db, community.id, { itemId: id, dueAt }).catch((error: Error) =>
      logger.warn('a queued post was not marked due', { id, error: error.name }),
    );
  }
  return queued;
}

/** Why a cancelled post did not go. */
export const CANCELLED_BY_REMOVAL = 'calendar entry removed';

/**
 * Cancel the posts of an entry not yet sent (its event called off, the entry removed): every pending one,
 * reminders included. One being sent right now (under a live lease) is left to its sender; what went, went.
 * Returns how many were cancelled.
 */
export async function cancelEntryPosts(db: Db, communityId: string, entry: string, now: Date): Promise<number> {
  let cancelled = 0;
  for (const item of await outboxWithPrefix(db, communityId, postIdPrefix(communityId, entry))) {
    if (item.status !== 'pending') continue;
    if (await settle(db, item, 'skipped', now, { unleasedAt: now }, CANCELLED_BY_REMOVAL)) cancelled++;
  }
  return cancelled;
}
