import type { KindDeliveries, SendContext } from '../contract';
import type { Tier } from '../standing/rules';
import { tierTemplate } from '../standing/templates';
import { renderDigest } from './email';
import { type PeriodKind, parsePeriod } from './periods';
import { digestReport } from './report';

/** Send a digest item: the period's report as of now, mailed to the operators. */
export async function deliverDigest(context: SendContext): Promise<void> {
  const { item, community, db, now } = context;
  const period = parsePeriod(item.vars.periodKind as PeriodKind, item.vars.period);
  if (!period) throw Object.assign(new Error(`not a period: ${item.vars.period}`), { retryable: false });
  const email = renderDigest(await digestReport(db, community, period, now), {
    kind: context.kindLabel,
    tier: (tier) => context.text(tierTemplate(tier as Tier)),
  });
  await context.mail({ to: community.operators, ...email });
}

/** This workflow's own deliveries (declared `delivered` in `index.ts`), by kind: see `../kind-deliveries.ts`. */
export const deliveries: KindDeliveries = {
  digest: deliverDigest,
};
