import { type CommandAction, interpretCommand } from '../domain/commands';
import type { CommunityConfig } from '../domain/config';
import { commandIn, type InboundEvent } from '../domain/events';
import type { TemplateName } from '../domain/templates';
import type { AnswerRoute } from '../platforms/types';
import type { Db } from '../store/db';
import { eventKey, isLive } from '../store/ingest';
import { outboxId } from '../store/keys';
import { enqueue } from '../store/outbox';
import { ensureMember, inviteCodeFor, setPreference } from '../store/preferences';

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
  const botUsername = community?.platform.kind === 'telegram' ? community.platform.botUsername : undefined;
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
  options: { now: Date; route?: AnswerRoute },
): Promise<string> {
  const memberId = event.member.id;
  const said = new Date(event.occurredAt);
  const vars: Record<string, string> = {};
  let template: TemplateName;
  let applied = true;
  switch (action.kind) {
    case 'birthday':
      applied = await setPreference(db, community.id, memberId, { birthday: action.birthday }, said);
      template = 'reply.birthday';
      vars.birthday = action.birthday;
      break;
    case 'timezone':
      applied = await setPreference(db, community.id, memberId, { timezone: action.timezone }, said);
      template = 'reply.timezone';
      vars.timezone = action.timezone;
      break;
    case 'optout':
    case 'optin':
      applied = await setPreference(db, community.id, memberId, { optedOut: action.kind === 'optout' }, said);
      template = action.kind === 'optout' ? 'reply.optout' : 'reply.optin';
      break;
    case 'invite': {
      const code = await inviteCodeFor(db, community.id, memberId, options.now);
      template = 'reply.invite';
      vars.code = code;
      const link = community.referrals.linkTemplate;
      if (link) vars.url = link.replaceAll('{code}', encodeURIComponent(code));
      break;
    }
    case 'points':
      // Counted when the answer is sent (the dispatcher), not here: the platform is waiting for this request.
      await ensureMember(db, community.id, memberId, said);
      template = 'reply.points';
      break;
    case 'usage':
      await ensureMember(db, community.id, memberId, said);
      template = action.command === 'birthday' ? 'reply.birthday.usage' : 'reply.timezone.usage';
      break;
    case 'help':
      await ensureMember(db, community.id, memberId, said);
      template = 'reply.help';
      break;
  }

  const replyId = outboxId('reply', community.id, memberId, eventKey(event.id));
  if (!isLive(said, options.now) || !applied) return replyId;
  // Answers can hold personal data (a birthday, an invite code): one asked in private stays private.
  const route = options.route;
  await enqueue(
    db,
    {
      id: replyId,
      communityId: community.id,
      kind: 'reply',
      memberId,
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
  return replyId;
}
