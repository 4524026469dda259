import type { KindDeliveries, KindDelivery } from './contract';
import { deliveries as digest } from './digest/delivery';

/**
 * The kinds delivered their own way (`delivered` in a kind's rules: an email rather than a chat message), one
 * line per workflow that has any (its `delivery.ts`). Only the dispatcher (`dispatch.ts`) imports this module,
 * so an email's renderer and the numbers behind it stay out of the webhook's, the lifecycle's and the sweeps'
 * bundles (tests/unit/bundle-contents.test.ts). tests/unit/workflow-registry.test.ts checks that every
 * `delivered` kind has exactly one body here and that nothing else has one.
 */
export const KIND_DELIVERIES_BY_WORKFLOW: Readonly<Record<string, KindDeliveries>> = {
  digest,
};

/** The own delivery of a kind declared `delivered`; throws for a kind no workflow gives one. */
export function deliveryOf(kind: string): KindDelivery {
  for (const deliveries of Object.values(KIND_DELIVERIES_BY_WORKFLOW)) {
    const delivery = deliveries[kind];
    if (delivery) return delivery;
  }
  throw new Error(`dispatch: kind ${kind} is delivered its own way, but no workflow gives the delivery`);
}
