import type { CommunityConfig } from '../../domain/config';
import { addDays, dayIn, instantAt } from '../../domain/time';
import type { Db } from '../../store/db';
import { enqueue } from '../../store/outbox';
import { COMMUNITY_RECIPIENT } from '../contract';
import type { SweepOptions } from '../sweep';
import { type PeriodKind, periodOf, previousPeriod } from './periods';

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

/** How long after its local send time a digest is still queued: the hourly job has this many chances. */
export const CATCH_UP_HOURS = 24;

/**
 * The periods whose digest is due at `now` in the community's zone: from the
 * local send time (`digest.weekday` at `digest.hour` for a week, the first
 * day of the next month or quarter at that hour for a review) and for the
 * {@link CATCH_UP_HOURS} after it, so that a missed run, an hour that a DST
 * change skips or a zone with a 45-minute offset is caught by a later run.
 * The outbox id makes every run after the first a no-op.
 */
export function duePeriods(community: CommunityConfig, now: Date): Array<{ kind: PeriodKind; key: string }> {
  const zone = community.timezone;
  const today = dayIn(now, zone);
  const { weekday, hour, monthly, quarterly } = community.digest;
  const due: Array<{ kind: PeriodKind; key: string }> = [];
  // The period before the one holding the local send day, from the send time for CATCH_UP_HOURS.
  const consider = (kind: PeriodKind, sendDay: string) => {
    const sendAt = instantAt({ day: sendDay, hour }, zone).getTime();
    if (now.getTime() < sendAt || now.getTime() >= sendAt + CATCH_UP_HOURS * 3_600_000) return;
    const key = previousPeriod(periodOf(kind, sendDay)).key;
    if (!due.some((d) => d.kind === kind && d.key === key)) due.push({ kind, key });
  };
  // This week's send day, and last week's (its catch-up may reach into this week).
  const thisWeek = addDays(periodOf('week', today).first, weekday - 1);
  consider('week', addDays(thisWeek, -7));
  consider('week', thisWeek);
  if (monthly) consider('month', periodOf('month', today).first);
  if (quarterly) consider('quarter', periodOf('quarter', today).first);
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
