import { type CommandAction, interpretCommand } from '../../domain/commands';
import type { CommunityConfig } from '../../domain/config';
import { commandIn, type InboundEvent } from '../../domain/events';
import type { TemplateName } from '../../domain/templates';
import type { AnswerRoute } from '../../platforms/types';
import type { Db } from '../../store/db';
import { eventKey, isLive } from '../../store/ingest';
import { outboxId } from '../../store/keys';
import { enqueue } from '../../store/outbox';
import { ensureMember, setPreference } from '../../store/preferences';
import { inviteCodeFor } from '../referrals/store';
import { helpList } from './templates';

/**
 * Member commands, applied by the webhook before the message is recorded:
 * each effect can be applied again (a preference is only ever replaced by a
 * newer one, an invite code is derived, not drawn), and the reply is an outbox
 * item whose id comes from the command's event, so a platform's retry changes
 * nothing. Replies go through the outbox and the dispatcher like any message;
 * their text is rendered there, in the member's locale at the time.
 */

type MessagePosted = Extract<InboundEvent, { type: 'message.posted' }>;

/** The command a message carries for Hearth, if any (`/help@OtherBot` is another bot's). */
export function hearthCommand(event: InboundEvent, community?: CommunityConfig): CommandAction | undefined {
  if (event.type !== 'message.posted') return undefined;
  const command = commandIn(event.text);
  // A platform whose config names the bot (Telegram) tells `/help@OtherBot` from Hearth's own.
  const botUsername = community && 'botUsername' in community.platform ? community.platform.botUsername : undefined;
  return command && interpretCommand(command, { botUsername });
}

/**
 * Apply `action`, asked by `event`'s member, and queue the answer; returns
 * the answer's outbox id (the same for every delivery of the command). No answer
 * is queued for a command from history (imported, or delivered more than a day
 * late: the member is not waiting for it), nor when a newer preference of the
 * same kind is already stored (the answer would state what is not saved).
 */
export async function answerCommand(
  db: Db,
  community: CommunityConfig,
  event: MessagePosted,
  action: CommandAction,
  /** `route`: how the platform said the answer must go, when not back to the chat it was asked in. */
  options: { now: Date; route?: AnswerRoute; memberCommands?: readonly string[] },
): Promise<string> {
  const said = new Date(event.occurredAt);
  const answer = await applyCommand(db, community, event.member.id, action, {
    said,
    now: options.now,
    memberCommands: options.memberCommands,
  });
  const replyId = outboxId('reply', community.id, event.member.id, eventKey(event.id));
  if (isLive(said, options.now) && answer.applied) await queueAnswer(db, community, event, replyId, answer, options);
  return replyId;
}

/** What a command did, and the answer to give: its template and variables. */
interface Answer {
  /** False when a newer preference of the same kind was already stored. */
  applied: boolean;
  template: TemplateName;
  vars: Record<string, string>;
}

/** Step 1: the command's effect (a preference set, an invite code made, the member recorded). */
async function applyCommand(
  db: Db,
  community: CommunityConfig,
  memberId: string,
  action: CommandAction,
  at: { said: Date; now: Date; memberCommands?: readonly string[] },
): Promise<Answer> {
  const { said } = at;
  const prefer = (preference: Parameters<typeof setPreference>[3]) =>
    setPreference(db, community.id, memberId, preference, said);
  switch (action.kind) {
    case 'birthday':
      return {
        applied: await prefer({ birthday: action.birthday }),
        template: 'reply.birthday',
        vars: { birthday: action.birthday },
      };
    case 'timezone':
      return {
        applied: await prefer({ timezone: action.timezone }),
        template: 'reply.timezone',
        vars: { timezone: action.timezone },
      };
    case 'optout':
    case 'optin':
      return {
        applied: await prefer({ optedOut: action.kind === 'optout' }),
        template: action.kind === 'optout' ? 'reply.optout' : 'reply.optin',
        vars: {},
      };
    case 'invite': {
      const code = await inviteCodeFor(db, community.id, memberId, at.now);
      const link = community.referrals.linkTemplate;
      const vars: Record<string, string> = { code };
      if (link) vars.url = link.replaceAll('{code}', encodeURIComponent(code));
      return { applied: true, template: 'reply.invite', vars };
    }
    case 'points':
      // Counted when the answer is sent (the dispatcher), not here: the platform is waiting for this request.
      await ensureMember(db, community.id, memberId, said);
      return { applied: true, template: 'reply.points', vars: {} };
    case 'usage':
      await ensureMember(db, community.id, memberId, said);
      return {
        applied: true,
        template: action.command === 'birthday' ? 'reply.birthday.usage' : 'reply.timezone.usage',
        vars: {},
      };
    case 'help':
      await ensureMember(db, community.id, memberId, said);
      return { applied: true, template: 'reply.help', vars: { commands: helpList(at.memberCommands) } };
  }
}

/** Step 2: the answer as an outbox item, back where it was asked, or by DM when it was asked in private. */
async function queueAnswer(
  db: Db,
  community: CommunityConfig,
  event: MessagePosted,
  replyId: string,
  answer: Answer,
  options: { now: Date; route?: AnswerRoute },
): Promise<void> {
  // Answers can hold personal data (a birthday, an invite code): one asked in private stays private.
  const route = options.route;
  await enqueue(
    db,
    {
      id: replyId,
      communityId: community.id,
      kind: 'reply',
      memberId: event.member.id,
      delivery: route?.private ? 'dm' : 'channel',
      channel: event.channelId,
      ...(route?.private ? { private: true } : {}),
      template: answer.template,
      vars: answer.vars,
      dueAt: options.now.toISOString(),
      ...(route?.token ? { replyToken: route.token } : {}),
    },
    options.now,
  );
}
