import { isForHearth } from '../../domain/commands';
import type { CommunityConfig } from '../../domain/config';
import { commandIn, type InboundEvent } from '../../domain/events';
import { dayIn } from '../../domain/time';
import type { AnswerRoute } from '../../platforms/types';
import type { Db } from '../../store/db';
import { isLive } from '../../store/ingest';
import { outboxId } from '../../store/keys';
import { enqueue } from '../../store/outbox';
import { ensureMember } from '../../store/preferences';
import { congratulateLevel, creditChallenge } from '../standing/store';
import { type Challenge, challengeDay, holdsKeyword } from './challenges';
import { markCompleted, recordCheckIn } from './store';

type MessagePosted = Extract<InboundEvent, { type: 'message.posted' }>;

/**
 * Whether a message is `/checkin` (or `/hearth checkin`, Slack's one slash command) for Hearth, not for
 * another bot. Discord registers `/checkin` with Hearth's other commands (`memberCommands`).
 */
export function isCheckInCommand(event: MessagePosted, community: CommunityConfig): boolean {
  const command = commandIn(event.text);
  const botUsername = 'botUsername' in community.platform ? community.platform.botUsername : undefined;
  if (!command || !isForHearth(command, botUsername)) return false;
  return command.name === 'checkin' || (command.name === 'hearth' && command.args[0]?.toLowerCase() === 'checkin');
}

/**
 * A member's check-in, taken in the webhook before the message is recorded (the text is read here and
 * nowhere else): `/checkin`, or a message holding an open challenge's keyword, on one of its local days.
 * Each open challenge records the day once (a second check-in that day, or the platform's retry, changes
 * nothing and gets no second answer: the answer's id is the member's day), and a member who has checked in
 * on every day of it gets its points and badge, once. A `/checkin` is a command (answered, not counted as a
 * message; with no challenge open it is told so); a keyword message is still a message, so it returns false.
 * A check-in from history (more than a day late) counts but is not answered, as for a command.
 */
export async function takeCheckIn(
  db: Db,
  community: CommunityConfig,
  event: InboundEvent,
  options: { now: Date; route?: AnswerRoute },
): Promise<boolean> {
  if (event.type !== 'message.posted' || community.challenges.length === 0 || event.member.isBot) return false;
  const asked = isCheckInCommand(event, community);
  const at = new Date(event.occurredAt);
  const day = dayIn(at, community.timezone);
  const open = community.challenges.filter(
    (challenge) => challengeDay(challenge, day) !== undefined && (asked || holdsKeyword(challenge, event.text)),
  );
  if (open.length === 0) {
    if (asked && isLive(at, options.now)) {
      await answer(db, community, event, options, `none@${event.id}`, 'challenge.none', {});
    }
    return asked;
  }
  await ensureMember(db, community.id, event.member.id, at);
  for (const challenge of open) await checkIn(db, community, challenge, event, day, options);
  return asked;
}

async function checkIn(
  db: Db,
  community: CommunityConfig,
  challenge: Challenge,
  event: MessagePosted,
  day: string,
  options: { now: Date; route?: AnswerRoute },
): Promise<void> {
  const memberId = event.member.id;
  const at = new Date(event.occurredAt);
  const progress = await recordCheckIn(db, community.id, challenge.id, memberId, day, at);
  const completed = progress.count === challenge.days;
  if (completed) {
    // Every step once, whichever delivery gets here: the mark by its condition, the credit by the challenge's id.
    await markCompleted(db, community.id, challenge.id, memberId, options.now);
    const credited = await creditChallenge(db, community, memberId, challenge.id, challenge.points);
    if (credited) await congratulateLevel(db, community, memberId, credited, options.now);
  }
  const vars = {
    challenge: challenge.id,
    day: String(challengeDay(challenge, day)),
    days: String(challenge.days),
    count: String(progress.count),
    streak: String(progress.streak),
    points: String(challenge.points),
  };
  // A check-in from history (imported, or delivered more than a day late) counts, unanswered, as a command does.
  if (!isLive(at, options.now)) return;
  await answer(
    db,
    community,
    event,
    options,
    `${challenge.id}@${day}`,
    completed ? 'challenge.completed' : 'challenge.checkin',
    vars,
  );
}

/** The answer to a check-in, once per `key` (the member's challenge day). */
function answer(
  db: Db,
  community: CommunityConfig,
  event: MessagePosted,
  options: { now: Date; route?: AnswerRoute },
  key: string,
  template: string,
  vars: Record<string, string>,
): Promise<boolean> {
  const { route } = options;
  return enqueue(
    db,
    {
      id: outboxId('checkin', community.id, event.member.id, key),
      communityId: community.id,
      kind: 'checkin',
      memberId: event.member.id,
      delivery: route?.private ? 'dm' : 'channel',
      channel: event.channelId,
      ...(route?.private ? { private: true } : {}),
      template,
      vars,
      dueAt: options.now.toISOString(),
      ...(route?.token ? { replyToken: route.token } : {}),
    },
    options.now,
  );
}
