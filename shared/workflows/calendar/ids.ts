import { outboxId } from '../../store/keys';
import { COMMUNITY_RECIPIENT } from '../contract';

/**
 * The outbox id of one post: its entry and its instant. A rerun, a retried run or a second sweeps function
 * at once finds the id taken and adds nothing; a post that happens at a repeated local hour has one instant.
 */
export const postId = (communityId: string, occurrence: { entry: string; at: Date }): string =>
  outboxId('post', communityId, COMMUNITY_RECIPIENT, `${occurrence.entry}@${occurrence.at.toISOString()}`);

/** The prefix of every post id of one entry (to cancel what has not gone). */
export const postIdPrefix = (communityId: string, entry: string): string =>
  `${outboxId('post', communityId, COMMUNITY_RECIPIENT, entry)}@`;
