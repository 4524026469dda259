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
 * community's events cost one Query that often, and only events that match cost a write. So that a post's
 * first responses are not lost to that cache, whoever queues a watched post records it as due as well
 * ({@link watchDue}, `<dueAt>#due#<outbox id>`): a cache that holds a post due before its 30 s are up ends at
 * that minute, and while a due post has not gone it is read again every {@link RECHECK_MS}, for at most
 * {@link RECHECK_FOR_MS} (a post held longer is seen within 30 s of going, as without the mark). Counts are
 * at most once per event: they are added after the event is recorded, so a platform's retry (a duplicate)
 * adds nothing; an error in the count itself loses that one count rather than fail the event.
 */

/** How long after a post its channel's messages, replies and reactions are counted. */
export const WATCH_WINDOW_MS = 24 * 60 * 60 * 1000;
/** How long the webhook keeps a community's open posts before it reads them again. */
export const OPEN_TTL_MS = 30_000;
/** How often a community's open posts are read while one of its posts is due and has not gone. */
export const RECHECK_MS = 3_000;
/** How long after its due time a post not yet gone keeps the webhook reading that often. */
export const RECHECK_FOR_MS = 3 * 60_000;
/** How long a post's counts are kept: past a quarter, for the quarterly review. */
const KEEP_DAYS = 120;
/** How long a due mark is kept: past the window of the webhook's reads. */
const DUE_KEEP_DAYS = 2;
/** The infix of a due mark's sort key, between its due time and its outbox id. */
const DUE = '#due#';

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

/** A watched post as queued, before it goes (see {@link watchDue}). */
export interface DueMark {
  sk: string;
  itemId: string;
  dueAt: string;
}

/** A mark, not a sent post: it has no `sentAt` (by attribute, since an outbox id may hold any text). */
const isDue = (item: Watch | DueMark): item is DueMark => !('sentAt' in item);

/**
 * Mark a watched post as due at `dueAt` once it is queued, so that the webhook reads its open posts again when
 * it goes. Writing it twice changes nothing; a mark lost costs that post's responses of its first 30 s.
 */
export async function watchDue(db: Db, communityId: string, post: { itemId: string; dueAt: Date }): Promise<void> {
  const dueAt = post.dueAt.toISOString();
  const update = new UpdateBuilder()
    .set('itemId', post.itemId)
    .set('dueAt', dueAt)
    .set('expiresAt', Math.floor(post.dueAt.getTime() / 1000) + DUE_KEEP_DAYS * 86_400);
  await updateItem(db, { pk: watchPk(communityId), sk: `${dueAt}${DUE}${post.itemId}` }, update);
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
  const items = await marksBetween(db, communityId, from, to);
  return items.filter((item): item is Watch => !isDue(item));
}

/** The sent posts and due marks from `from` (inclusive) to `to` (exclusive), by their sort keys. */
function marksBetween(db: Db, communityId: string, from: Date, to: Date): Promise<Array<Watch | DueMark>> {
  // Sort keys start with the instant: `<to>` sorts before `<to>#…`, so BETWEEN takes nothing sent at `to`.
  return queryBetween<Watch | DueMark>(db, watchPk(communityId), from.toISOString(), to.toISOString());
}

/** Each Db's cache of open posts by community: the sent ones, and until when they hold. */
const openCache = new WeakMap<Db, Map<string, { readAt: number; staleAt: number; watches: Watch[] }>>();

/**
 * When a read at `readAt` of these marks must be read again: after {@link OPEN_TTL_MS}, or sooner when a
 * post not yet gone is due before then (at its due time), or is due and late (every {@link RECHECK_MS}).
 */
export function staleAt(readAt: number, items: ReadonlyArray<Watch | DueMark>): number {
  const sent = new Set(items.filter((item) => !isDue(item)).map((item) => item.itemId));
  let until = readAt + OPEN_TTL_MS;
  for (const item of items) {
    if (!isDue(item) || sent.has(item.itemId)) continue;
    const dueAt = Date.parse(item.dueAt);
    if (dueAt > readAt) until = Math.min(until, dueAt);
    else if (readAt - dueAt < RECHECK_FOR_MS) until = Math.min(until, readAt + RECHECK_MS);
  }
  return until;
}

/** The posts of a community still in their window at `now` (kept in this process until {@link staleAt}). */
async function openWatches(db: Db, communityId: string, now: Date): Promise<Watch[]> {
  let byCommunity = openCache.get(db);
  if (!byCommunity) {
    byCommunity = new Map();
    openCache.set(db, byCommunity);
  }
  const cached = byCommunity.get(communityId);
  if (cached && now.getTime() >= cached.readAt && now.getTime() < cached.staleAt) return cached.watches;
  // Sent within the window, and due within the cache's 30 s (a post due later is read by a later read).
  const items = await marksBetween(
    db,
    communityId,
    new Date(now.getTime() - WATCH_WINDOW_MS),
    new Date(now.getTime() + OPEN_TTL_MS),
  );
  const watches = items.filter((item): item is Watch => !isDue(item));
  if (byCommunity.size > 10_000) byCommunity.clear();
  byCommunity.set(communityId, { readAt: now.getTime(), staleAt: staleAt(now.getTime(), items), watches });
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
