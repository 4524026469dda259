import type { ChatMessage, ChatSender } from '../../shared/chat/sender';
import type { EventPublisher } from '../../shared/events/domain-events';
import { signGeneric } from '../../shared/platforms/generic/inbound';
import { handleWebhook, type PipelineDeps } from '../../shared/webhook/pipeline';

/** A chat sender that records what it is asked to send and sends nothing (a platform that names no message). */
export class RecordingSender implements ChatSender {
  readonly sent: ChatMessage[] = [];
  async send(message: ChatMessage): Promise<undefined> {
    this.sent.push(message);
    return undefined;
  }
}

/** A publisher that drops the domain events, and metrics that count nothing: for pipeline tests. */
export const silentPublisher: EventPublisher = { publish: async () => undefined };
export const noMetrics = { accepted: () => undefined, duplicates: () => undefined, rejected: () => undefined };

/** POST one generic event to the real pipeline, signed with `secret` at `now`, as the platform would. */
export function postGeneric(
  deps: PipelineDeps,
  community: { id: string; secret: string },
  body: Record<string, unknown>,
  now: Date,
) {
  const rawBody = JSON.stringify(body);
  return handleWebhook(
    deps,
    {
      platform: 'generic',
      communityId: community.id,
      method: 'POST',
      headers: { 'hearth-signature': signGeneric(community.secret, rawBody, now) },
      query: {},
      rawBody,
    },
    now,
  );
}
