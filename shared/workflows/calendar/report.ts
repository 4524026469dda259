import type { CommunityConfig } from '../../domain/config';
import { endOfLocalDay } from '../../domain/lifecycle';
import { instantAt, localMinute } from '../../domain/time';
import type { Db } from '../../store/db';
import { watchesBetween } from '../../store/watches';
import { lastDayOf } from './challenges';
import { postIdPrefix } from './ids';
import { type ChallengeStats, challengeStats } from './store';

/** One post of a period, and how members responded in the day after it. */
export interface PostResponse {
  /** The calendar entry or challenge it was posted for. */
  entry: string;
  owner?: string;
  /** When it went, and the community's wall-clock time of it (`YYYY-MM-DD HH:mm`). */
  sentAt: string;
  local: string;
  /** Null where the platform names no message Hearth posted (its replies and reactions cannot be told). */
  replies: number | null;
  reactions: number | null;
  /** Members' messages in its channel in the 24 h after; null when the channel is not known. */
  channelMessages: number | null;
}

/** What the digest says of the calendar for a period: what went, and the challenges that ran. */
export interface CalendarReport {
  posts: PostResponse[];
  challenges: Array<ChallengeStats & { completionRate: number | null }>;
}

/**
 * The calendar of `period` (local days `first` to `last`): the posts sent in it with their counts (one Query
 * of the period's watched posts; a challenge's prompts are left to its own line), and each challenge whose
 * days overlap it, as of now (one Query of its participants). A post's counts may still grow for a day after
 * the period ends.
 */
export async function calendarReport(
  db: Db,
  community: CommunityConfig,
  period: { first: string; last: string },
): Promise<CalendarReport> {
  const zone = community.timezone;
  const planned = [...community.calendar, ...community.challenges];
  const owners = new Map(planned.map((e) => [e.id, e.owner]));
  const prefixes = planned.map((e) => ({ id: e.id, prefix: postIdPrefix(community.id, e.id) }));
  const watches = await watchesBetween(
    db,
    community.id,
    instantAt({ day: period.first, hour: 0 }, zone),
    endOfLocalDay(period.last, zone),
  );
  // A challenge's daily prompts are told by its own numbers (participants, completion), not as posts.
  const prompts = prefixes.filter((p) => community.challenges.some((c) => c.id === p.id));
  const posts = watches
    .filter((w) => w.kind === 'post' && !prompts.some((p) => w.itemId.startsWith(p.prefix)))
    .map((w): PostResponse => {
      // The entry by the id's prefix; a post of an entry since removed is named by what its id says.
      const entry =
        prefixes.find((p) => w.itemId.startsWith(p.prefix))?.id ??
        w.itemId.slice(w.itemId.lastIndexOf('#') + 1).replace(/@.*$/, '');
      const owner = owners.get(entry);
      return {
        entry,
        ...(owner ? { owner } : {}),
        sentAt: w.sentAt,
        local: localMinute(new Date(w.sentAt), zone).replace('T', ' '),
        replies: w.messageId ? (w.replies ?? 0) : null,
        reactions: w.messageId ? (w.reactions ?? 0) : null,
        channelMessages: w.channel ? (w.channelMessages ?? 0) : null,
      };
    });
  const running = community.challenges.filter((c) => c.start <= period.last && lastDayOf(c) >= period.first);
  const challenges = await Promise.all(
    running.map(async (challenge) => {
      const stats = await challengeStats(db, community.id, challenge);
      return { ...stats, completionRate: stats.participants ? stats.completed / stats.participants : null };
    }),
  );
  return { posts, challenges };
}
