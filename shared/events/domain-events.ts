/** Source of every domain event Hearth publishes (EventBridge `source`). */
export const EVENT_SOURCE = 'hearth';

/** Domain event types on the bus (EventBridge detail-type). */
export const DOMAIN_EVENT_TYPES = ['member.joined', 'member.left', 'member.updated', 'member.reactivated'] as const;
export type DomainEventType = (typeof DOMAIN_EVENT_TYPES)[number];

/**
 * Events Hearth publishes for the workflows. Plain messages never become bus
 * events (one per message would cost money and buy nothing); only changes in a
 * member's lifecycle do.
 */
export interface DomainEvent {
  type: DomainEventType;
  communityId: string;
  memberId: string;
  /** When it happened (the source event's time, ISO 8601 UTC). */
  occurredAt: string;
  /** The inbound event that caused it, for tracing. */
  sourceEventId: string;
  /** Referral code on a join. */
  referralCode?: string;
  /** The inviter the platform names on a join. */
  invitedBy?: string;
  /** How sure the platform is of the referral on a join (`exact`, `probable`, `declared`). */
  referralConfidence?: 'exact' | 'probable' | 'declared';
  /** Days of silence before a reactivation. */
  quietDays?: number;
  /** A reactivation within the window of an item awaiting the member's answer: that item, and when it was sent. */
  answers?: { id: string; kind: string; sentAt: string };
}

/** Something that puts domain events on the bus. */
export interface EventPublisher {
  publish(events: readonly DomainEvent[]): Promise<void>;
}
