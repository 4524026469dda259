import { DateTime } from 'luxon';
import type { CommunityConfig } from '../../domain/config';
import type { Db } from '../../store/db';
import { enqueue } from '../../store/outbox';
import { COMMUNITY_RECIPIENT, type SendContext } from '../contract';
import type { Tier } from '../standing/rules';
import { tierTemplate } from '../standing/templates';
import type { SweepOptions } from '../sweep';
import { renderDigest } from './email';
import { type PeriodKind, parsePeriod, periodOf, previousPeriod } from './periods';
import { digestReport } from './report';

/**
 * When digests go, and how. Each hour the `digest` job looks at every
 * community's local time: on `digest.weekday` from `digest.hour` on, the week
 * that has just ended is due; with `digest.monthly` (`quarterly`), on the
 * first local day of a month (quarter) from the same hour, the one before. A
 * due period becomes one outbox item, `digest#<community>#<period>`
 * (`digest#acme#2026-W53`, `…#2026-11`, `…#2026-Q4`): a schedule that fires
 * twice, a retry and an as-of run all meet the same id, and 2026-W53 and
 * 2027-W01 are different weeks. The dispatcher sends it as an email to the
 * operators, computing the numbers as it sends; a number that cannot be read
 * fails the send, which is retried and then parked as `failed` with its
 * reason: never an email of zeros.
 */

/** The outbox id of a period's digest. */
export const digestId = (communityId: string, key: string): string => `digest#${communityId}#${key}`;

/** What one digest run did. */
export interface DigestSweepReport {
  communities: number;
  queued: number;
  /** The periods it found due, `community period`. */
  due: string[];
}

/** The periods whose digest is due at `now` in the community's zone. */
export function duePeriods(community: CommunityConfig, now: Date): Array<{ kind: PeriodKind; key: string }> {
  const local = DateTime.fromJSDate(now, { zone: community.timezone });
  const { weekday, hour, monthly, quarterly } = community.digest;
  if (local.hour < hour) return [];
  const today = local.toISODate() as string;
  const due: Array<{ kind: PeriodKind; key: string }> = [];
  if (local.weekday === weekday) due.push({ kind: 'week', key: previousPeriod(periodOf('week', today)).key });
  if (monthly && local.day === 1) due.push({ kind: 'month', key: previousPeriod(periodOf('month', today)).key });
  if (quarterly && local.day === 1 && [1, 4, 7, 10].includes(local.month)) {
    due.push({ kind: 'quarter', key: previousPeriod(periodOf('quarter', today)).key });
  }
  return due;
}

/** The digest job at `now`: an outbox item for each period due (once each, by its id). */
export async function digestSweep(
  db: Db,
  communities: readonly CommunityConfig[],
  now: Date,
  _options: SweepOptions = {},
): Promise<DigestSweepReport> {
  const report: DigestSweepReport = { communities: 0, queued: 0, due: [] };
  for (const community of communities) {
    if (!community.digest.enabled || community.operators.length === 0) continue;
    report.communities++;
    for (const period of duePeriods(community, now)) {
      report.due.push(`${community.id} ${period.key}`);
      const queued = await enqueue(
        db,
        {
          id: digestId(community.id, period.key),
          communityId: community.id,
          kind: 'digest',
          memberId: COMMUNITY_RECIPIENT,
          delivery: 'channel',
          vars: { period: period.key, periodKind: period.kind },
          dueAt: now.toISOString(),
        },
        now,
      );
      if (queued) report.queued++;
    }
  }
  return report;
}

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
