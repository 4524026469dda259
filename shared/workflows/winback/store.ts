import type { CommunityConfig } from '../../domain/config';
import { dayIn } from '../../domain/time';
import type { DomainEvent } from '../../events/domain-events';
import { type Db, queryBetween, updateItem } from '../../store/db';
import { outboxKey } from '../../store/keys';
import { UpdateBuilder } from '../../store/update';

/**
 * Win-back success, stored for the digest: a tally per community and send day
 * (community time zone) of the win-backs sent and of those whose member was
 * active again within 7 days. Before a win-back goes, the member is marked as
 * awaiting an answer to it (`awaitAnswer` in the member store); their next
 * first activity of a day takes the mark off and, within the window, the
 * webhook's `member.reactivated` says which item it answered. The outbox item
 * records when it was answered.
 *
 * | item           | pk              | sk           |
 * |----------------|-----------------|--------------|
 * | win-back tally | `C#<c>#WINBACK` | `<send day>` |
 */

/** A community's win-back tally partition. */
const tallyPk = (communityId: string): string => `C#${communityId}#WINBACK`;

/** Count a win-back sent at `sentAt` on its send day. */
export async function countWinbackSent(db: Db, community: CommunityConfig, sentAt: Date): Promise<void> {
  await addToTally(db, community, dayIn(sentAt, community.timezone), 'sent');
}

/**
 * A member answered a win-back (`member.reactivated` answering one): mark the
 * item won back once, and count it on its send day. False when it was
 * counted already (the bus delivers at least once).
 */
export async function recordWonBack(db: Db, community: CommunityConfig, event: DomainEvent): Promise<boolean> {
  const answered = event.answers;
  if (answered?.kind !== 'winback') return false;
  const update = new UpdateBuilder().set('wonBackAt', event.occurredAt);
  const condition = `attribute_not_exists(${update.name('wonBackAt')}) AND ${update.name('status')} = ${update.value('sent')}`;
  const marked = await updateItem(db, outboxKey(community.id, answered.id), update, { condition });
  if (!marked) return false;
  await addToTally(db, community, dayIn(new Date(answered.sentAt), community.timezone), 'wonBack');
  return true;
}

async function addToTally(db: Db, community: CommunityConfig, day: string, field: 'sent' | 'wonBack') {
  const update = new UpdateBuilder().add(field, 1).setIfAbsent('day', day);
  await updateItem(db, { pk: tallyPk(community.id), sk: day }, update);
}

/** Win-backs sent and won back, per send day from `fromDay` to `toDay` (inclusive). */
export interface WinbackTally {
  day: string;
  sent: number;
  wonBack: number;
}

export async function winbackTallies(
  db: Db,
  communityId: string,
  fromDay: string,
  toDay: string,
): Promise<WinbackTally[]> {
  const rows = await queryBetween<{ day: string; sent?: number; wonBack?: number }>(
    db,
    tallyPk(communityId),
    fromDay,
    toDay,
  );
  return rows.map((row) => ({ day: row.day, sent: row.sent ?? 0, wonBack: row.wonBack ?? 0 }));
}
