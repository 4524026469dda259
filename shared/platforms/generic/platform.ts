import * as z from '../../domain/zod';
import type { PlatformDefinition } from '../definition';

/** The generic webhook (docs/contract.md): its name in the webhook path and its part of the community config (`platform`). */
export const platform = {
  name: 'generic',
  config: z.strictObject({ kind: z.literal('generic') }),
  openToEveryCommunity: true,
} as const satisfies PlatformDefinition;

/** A community's Generic platform config. */
export type GenericConfig = z.infer<typeof platform.config>;
