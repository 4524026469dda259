import type * as z from '../domain/zod';

/**
 * A platform as the registry lists it: its name (the webhook path's segment, and `platform.kind` in a
 * community config) and the schema of its part of the config. Its folder holds the rest, by convention:
 * `inbound.ts` exports `adapter` ({@link InboundModule}) and `outbound.ts` exports `createSender`
 * ({@link OutboundModule}); `inbound.ts` and `outbound.ts` next to the registry load them, so a
 * function bundles only the side it uses.
 */
export interface PlatformDefinition {
  readonly name: string;
  readonly config: z.ZodMiniObject<{ kind: z.ZodMiniLiteral<string> }>;
  /**
   * Its webhook takes events for a community on any platform (the generic webhook: the Discord relay and
   * operators' own tools post there); otherwise only for a community whose `platform.kind` it is.
   */
  readonly openToEveryCommunity?: boolean;
  /** When a member's account was made, where their id says it (a Discord snowflake); referrals check its age. */
  accountCreatedAt?(memberId: string): Date | undefined;
}
