import { expect } from 'vitest';
import { type CommunityConfig, parseCommunityConfig } from '../../shared/domain/config';
import { type InboundEvent, inboundEventSchema } from '../../shared/domain/events';
import { HearthError } from '../../shared/runtime/errors';

/** A generic community config with every default filled, `acme` unless told otherwise. */
export function communityConfig(overrides: Record<string, unknown> = {}): CommunityConfig {
  return parseCommunityConfig({
    id: 'acme',
    name: 'Acme Makers',
    timezone: 'Asia/Shanghai',
    webhookSecret: 'whsec_change_me',
    platform: { kind: 'generic' },
    ...overrides,
  });
}

let seq = 0;

/**
 * A validated inbound event with a unique id (unless `extra` gives one) and the
 * fields its type requires filled with plain values.
 */
export function inboundEvent(
  type: InboundEvent['type'],
  memberId: string,
  occurredAt: string,
  extra: Record<string, unknown> = {},
): InboundEvent {
  const required: Record<string, unknown> =
    type === 'message.posted' ? { channelId: 'general' } : type === 'reaction.added' ? { toMemberId: 'someone' } : {};
  return inboundEventSchema.parse({
    id: `evt-${process.pid}-${++seq}`,
    type,
    occurredAt,
    member: { id: memberId },
    ...required,
    ...extra,
  });
}

/** The HearthError a call throws or rejects with (fails the test if there is none, or it is another error). */
export async function hearthError(run: () => unknown): Promise<HearthError> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(HearthError);
    return error as HearthError;
  }
  throw new Error('expected a HearthError');
}
