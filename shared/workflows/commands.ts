import { type CommandAction, interpretCommand, pointsOf } from '../domain/commands';
import type { CommunityConfig } from '../domain/config';
import { commandIn, type InboundEvent } from '../domain/events';
import type { TemplateName } from '../domain/templates';
import type { Db } from '../store/db';
import { eventKey } from '../store/ingest';
import { outboxId } from '../store/keys';
import { memberTotals } from '../store/members';
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

/** The command a message carries for Hearth, if any. */
export function hearthCommand(event: InboundEvent): CommandAction | undefined {
  if (event.type !== 'message.posted') return undefined;
  const command = commandIn(event.text);
  return command && interpretCommand(command);
}

/** What answering a command decided. */
export interface CommandOutcome {
  replyId: string;
  template: TemplateName;
  /** False when the same command was answered before (a retried delivery). */
  queued: boolean;
}

/** Apply `action`, asked by `event`'s member, and queue the reply. */
export async function answerCommand(
  db: Db,
  community: CommunityConfig,
  event: MessagePosted,
  action: CommandAction,
  options: { now: Date; replyToken?: string },
): Promise<CommandOutcome> {
  const memberId = event.member.id;
  const said = new Date(event.occurredAt);
  const vars: Record<string, string> = {};
  let template: TemplateName;
  switch (action.kind) {
    case 'birthday':
      await setPreference(db, community.id, memberId, { birthday: action.birthday }, said);
      template = 'reply.birthday';
      vars.birthday = action.birthday;
      break;
    case 'timezone':
      await setPreference(db, community.id, memberId, { timezone: action.timezone }, said);
      template = 'reply.timezone';
      vars.timezone = action.timezone;
      break;
    case 'optout':
    case 'optin':
      await setPreference(db, community.id, memberId, { optedOut: action.kind === 'optout' }, said);
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
    case 'points': {
      await ensureMember(db, community.id, memberId, said);
      const totals = await memberTotals(db, community.id, memberId);
      template = 'reply.points';
      Object.assign(vars, {
        points: String(pointsOf(totals)),
        messages: String(totals.messages),
        replies: String(totals.replies),
        reactions: String(totals.reactions),
      });
      break;
    }
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
  const queued = await enqueue(
    db,
    {
      id: replyId,
      communityId: community.id,
      kind: 'reply',
      memberId,
      // Slack's slash commands come from a box only the member sees: the answer goes to their DMs.
      // Elsewhere it goes back to the chat the command was typed in (a DM with the bot is such a chat).
      delivery: community.platform.kind === 'slack' ? 'dm' : 'channel',
      channel: event.channelId,
      template,
      vars,
      dueAt: options.now.toISOString(),
      ...(options.replyToken ? { replyToken: options.replyToken } : {}),
    },
    options.now,
  );
  return { replyId, template, queued };
}
