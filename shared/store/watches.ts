import type { CommunityConfig } from '../domain/config';
import { activityDelta, type InboundEvent } from '../domain/events';
import { logger } from '../runtime/observability';
import { type Db, queryBetween, updateItem } from './db';
import { TABLE } from './table';
import { UpdateBuilder } from './update';

/**
 * Hearth's own channel posts whose responses are counted (a kind's `watched` rule: the calendar's posts),
 * one item each in the community's `C#<c>#WATCH` partition, sorted by when it went (`<sentAt>#<outbox id>`):
 * the dispatcher writes it once the post is sent, with the platform's id of the message; the webhook adds to
 * its counts for the {@link WATCH_WINDOW_MS} after: a reply to it (`replyToMessage`), a reaction on it
 * (`messageId`), and any member's message in its channel. The digest reads a period's items by their sort key.
 *
 * The webhook keeps a community's open posts (those sent within the window) for {@link OPEN_TTL_MS}, so a
 * community's events cost one Query that often, and only events that match cost a write. Counts are at most
 * once per event: they are added after the event is recorded, so a platform's retry (a duplicate) adds
 * nothing; an error in the count itself loses that one count rather than fail the event.
 */

/** How long after a post its channel's messages, replies and reactions are counted. */
export const WATCH_WINDOW_MS = 24 * 60 * 60 * 1000;
/** How long the webhook keeps a community's open posts before it reads them again. */
export const OPEN_TTL_MS = 30_000;
/** How long a post's counts are kept: past a quarter, for the quarterly review. */
const KEEP_DAYS = 120;

const watchPk = (communityId: string): string => `C#${communityId}#WATCH`;

/** A watched post as stored. */
export interface Watch {
  sk: string;
  /** Its outbox item's id and kind. */
  itemId: string;
  kind: string;
  /**
   * The platform's id of the message (as its inbound events name it) and the channel it went to, where the
   * platform says (WeCom's, DingTalk's and Feishu's sends name neither here: their posts are listed, uncounted).
   */
  messageId?: string;
  channel?: string;
  sentAt: string;
  /** The end of the window (ISO). */
  until: string;
  replies?: number;
  reactions?: number;
  /** Members' messages in its channel during the window, replies included. */
  channelMessages?: number;
}

/** Record a watched post once it is sent (once: a second record of the same send changes nothing). */
export async function watchSent(
  db: Db,
  communityId: string,
  post: { itemId: string; kind: string; messageId?: string; channel?: string; sentAt: Date },
): Promise<void> {
  const sentAt = post.sentAt.toISOString();
  const update = new UpdateBuilder()
    .set('itemId', post.itemId)
    .set('kind', post.kind)
    .set('sentAt', sentAt)
    .set('until', new Date(post.sentAt.getTime() + WATCH_WINDOW_MS).toISOString())
    .set('expiresAt', Math.floor(post.sentAt.getTime() / 1000) + KEEP_DAYS * 86_400);
  if (post.messageId) update.set('messageId', post.messageId);
  if (post.channel) update.set('channel', post.channel);
  await updateItem(db, { pk: watchPk(communityId), sk: `${sentAt}#${post.itemId}` }, update, {
    condition: `attribute_not_exists(${update.name(TABLE.partitionKey)})`,
  });
}

/** The watched posts sent from `from` (inclusive) to `to` (exclusive), oldest first. */
export async function watchesBetween(db: Db, communityId: string, from: Date, to: Date): Promise<Watch[]> {
  // Sort keys start with the instant: `<to>` sorts before `<to>#…`, so BETWEEN takes nothing sent at `to`.
  return queryBetween<Watch>(db, watchPk(communityId), from.toISOString(), to.toISOString());
}

/** Each Db's cache of open posts by community: `{ readAt, watches }`. */
const openCache = new WeakMap<Db, Map<string, { readAt: number; watches: Watch[] }>>();

/** The posts of a community still in their window at `now` (kept {@link OPEN_TTL_MS} in this process). */
async function openWatches(db: Db, communityId: string, now: Date): Promise<Watch[]> {
  let byCommunity = openCache.get(db);
  if (!byCommunity) {
    byCommunity = new Map();
    openCache.set(db, byCommunity);
  }
  const cached = byCommunity.get(communityId);
  if (cached && now.getTime() - cached.readAt >= 0 && now.getTime() - cached.readAt < OPEN_TTL_MS) {
    return cached.watches;
  }
  const watches = await watchesBetween(
    db,
    communityId,
    new Date(now.getTime() - WATCH_WINDOW_MS),
    new Date(now.getTime() + OPEN_TTL_MS),
  );
  if (byCommunity.size > 10_000) byCommunity.clear();
  byCommunity.set(communityId, { readAt: now.getTime(), watches });
  return watches;
}

/** What an event adds to one watched post. */
function responseTo(
  watch: Watch,
  event: InboundEvent,
): { replies: number; reactions: number; channelMessages: number } {
  const counts = { replies: 0, reactions: 0, channelMessages: 0 };
  // Within the window: from the send (an event may carry any offset) until 24 h after.
  const at = Date.parse(event.occurredAt);
  if (event.member.isBot || at < Date.parse(watch.sentAt) || at >= Date.parse(watch.until)) return counts;
  const named = watch.messageId !== undefined;
  if (event.type === 'reaction.added' && named && event.messageId === watch.messageId) counts.reactions = 1;
  if (event.type === 'message.posted' && activityDelta(event).messages) {
    if (named && event.replyToMessage === watch.messageId) counts.replies = 1;
    if (watch.channel && event.channelId === watch.channel) counts.channelMessages = 1;
  }
  return counts;
}

/**
 * Add a just-recorded event's response to the community's open watched posts: a reply, a reaction, a
 * message in the channel. Returns how many posts it counted for; never throws (a count lost is logged).
 */
export async function countResponses(
  db: Db,
  community: CommunityConfig,
  event: InboundEvent,
  now: Date,
): Promise<number> {
  if (event.type !== 'message.posted' && event.type !== 'reaction.added') return 0;
  try {
    let counted = 0;
    for (const watch of await openWatches(db, community.id, now)) {
      const counts = responseTo(watch, event);
      if (!counts.replies && !counts.reactions && !counts.channelMessages) continue;
      const update = new UpdateBuilder();
      for (const [field, n] of Object.entries(counts)) if (n) update.add(field, n);
      await updateItem(db, { pk: watchPk(community.id), sk: watch.sk }, update, {
        condition: `attribute_exists(${update.name(TABLE.partitionKey)})`,
      });
      counted++;
    }
    return counted;
  } catch (error) {
    logger.warn('a response to a post was not counted', { communityId: community.id, error: (error as Error).name });
    return 0;
  }
}
