import { writeFile } from 'node:fs/promises';
import type { CommunityConfig } from '../../shared/domain/config';
import { templateText } from '../../shared/domain/templates';
import { dayIn } from '../../shared/domain/time';
import { compose, LOCAL_MAIL_FROM } from '../../shared/mail/mailer';
import { digestId } from '../../shared/workflows/digest/decisions';
import { type DigestNames, renderDigest } from '../../shared/workflows/digest/email';
import {
  type Period,
  type PeriodKind,
  parsePeriod,
  periodOf,
  previousPeriod,
} from '../../shared/workflows/digest/periods';
import { digestReport } from '../../shared/workflows/digest/report';
import { kindLabel } from '../../shared/workflows/registry';
import type { Tier } from '../../shared/workflows/standing/rules';
import { tierTemplate } from '../../shared/workflows/standing/templates';
import { UsageError } from '../errors';
import { output } from '../output';
import type { Target } from '../target';
import { communityArg } from './standing';

/** What the digest calls kinds and tiers for `community`, as the dispatcher's send context does. */
export const digestNames = (community: CommunityConfig): DigestNames => ({
  kind: (kind) => kindLabel(kind, community.locale),
  tier: (tier) => templateText(tierTemplate(tier as Tier), community.locale, community.templates, community.locale),
});

/** The period flags of `digest preview`, at most one of them. */
export interface PeriodFlags {
  week?: string;
  month?: string;
  quarter?: string;
}

/** Where `digest preview` writes the email it renders, when asked. */
export interface PreviewFiles {
  /** The HTML part. */
  out?: string;
  /** The whole message, as the operators would receive it. */
  eml?: string;
}

const FORMS: Record<PeriodKind, string> = { week: '2026-W49', month: '2026-11', quarter: '2026-Q4' };

/** The period the flags name; without one, the last week that has ended in the community's zone. */
export function periodFromFlags(flags: PeriodFlags, today: string): Period {
  const given = (Object.keys(FORMS) as PeriodKind[]).filter((kind) => flags[kind] !== undefined);
  if (given.length > 1)
    throw new UsageError(
      `digest preview takes one of --week, --month, --quarter, not ${given.map((g) => `--${g}`).join(' and ')}`,
    );
  if (given.length === 0) return previousPeriod(periodOf('week', today));
  const [kind] = given;
  const period = parsePeriod(kind, flags[kind] as string);
  if (!period) throw new UsageError(`--${kind} must look like ${FORMS[kind]}, got "${flags[kind]}"`);
  return period;
}

const percent = (rate: number | null) => (rate === null ? 'n/a' : `${(rate * 100).toFixed(1)} %`);

/**
 * `digest preview --community <id> [--week YYYY-Www | --month YYYY-MM | --quarter YYYY-Qn]`: the
 * period's numbers, computed now, sent to no one. With `--json`, under the names of docs/kpis.md.
 */
export async function digestPreview(
  target: Target,
  community: string | undefined,
  flags: PeriodFlags,
  files: PreviewFiles,
  json: boolean,
) {
  const config = await communityArg(target, community, 'digest preview --community');
  const now = new Date();
  const period = periodFromFlags(flags, dayIn(now, config.timezone));
  const report = await digestReport(target.db, config, period, now);
  if (files.out || files.eml) {
    const email = renderDigest(report, digestNames(config));
    if (files.out) await writeFile(files.out, email.html);
    if (files.eml) {
      const message = await compose({
        id: digestId(config.id, period.key),
        from: process.env.MAIL_FROM ?? LOCAL_MAIL_FROM,
        to: config.operators.length ? config.operators : ['operators@localhost'],
        date: now,
        ...email,
      });
      await writeFile(files.eml, message);
    }
  }
  const { numbers: n, changes } = report;
  const change = (metric: string) => {
    const c = changes[metric]?.change;
    return c === null || c === undefined ? 'n/a' : `${c >= 0 ? '+' : ''}${(c * 100).toFixed(1)} %`;
  };
  output(
    json,
    {
      community: config.id,
      period: period.key,
      from: period.first,
      to: period.last,
      ...n,
      changes,
      trends: report.trends,
      targets: report.targets,
      attention: report.attention,
    },
    () =>
      [
        `${config.name}, ${period.key} (${period.first} to ${period.last})`,
        `members ${n.members} (${change('members')}), joins ${n.joins}, leaves ${n.leaves}, net ${n.net}, growth ${percent(n.growthRate)}`,
        `WAU ${n.wau} (${change('wau')}), average DAU ${n.avgDau.toFixed(1)}, MAU ${n.mau}, stickiness ${percent(n.stickiness)}`,
        `messages ${n.messages} (${change('messages')}), per active ${n.messagesPerActive?.toFixed(2) ?? 'n/a'}, interaction ${percent(n.interactionRate)}`,
        `activation ${percent(n.activation)} of ${n.newcomers}, churn ${percent(n.churn)}, win-back success ${percent(n.winbackSuccess)}`,
        `onboarding completed ${percent(n.dripCompletion)} of ${n.dripFinished}`,
        `failed sends waiting: ${n.automation.failedWaiting}${n.automation.failedWaiting ? ` (hearth outbox --community ${config.id} --status failed)` : ''}`,
        ...report.attention.map((a) => `attention: ${a.metric} ${a.kind} (${a.value} against ${a.against})`),
      ].join('\n'),
  );
}
