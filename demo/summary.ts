import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { DateTime } from 'luxon';
import type { CommunityConfig } from '../shared/domain/config';
import { dayIn } from '../shared/domain/time';
import { fileSafe } from '../shared/mail/mailer';
import type { Db } from '../shared/store/db';
import { deliveriesBetween } from '../shared/store/deliveries';
import { listOutbox } from '../shared/store/outbox';
import { digestId } from '../shared/workflows/digest/decisions';
import { periodOf, previousPeriod } from '../shared/workflows/digest/periods';
import { digestReport } from '../shared/workflows/digest/report';

/** What the demo ends with: the last week's digest, its headline, and what every message kind came to. */
export interface DemoSummary {
  week: string;
  digest: { status: string; eml?: string; html?: string; reason?: string };
  headline: {
    members: number;
    joins: number;
    leaves: number;
    wau: number;
    avgDau: number;
    stickiness: number | null;
    messages: number;
    replies: number;
    reactions: number;
    activation: number | null;
    churn: number | null;
    referralsQualified: number;
    tiers: Record<string, number>;
  };
  /** Over the whole replay, per outbox kind: sent, not sent (by the guardrail's reason), still pending, failed. */
  kinds: Record<string, { sent: number; skipped: Record<string, number>; pending: number; failed: number }>;
  /**
   * Over the whole replay, as the digest counts them: items a guardrail held back, by guardrail (each item
   * once per guardrail: a wait for quiet hours or the frequency cap, then sent or not; or not sent at all).
   */
  heldBack: Record<string, number>;
  /** The last week's calendar, as its digest says: posts and their responses, and the challenges. */
  calendar: {
    posts: number;
    replies: number;
    reactions: number;
    channelMessages: number;
    challenges: Array<{ id: string; participants: number; completed: number; longestStreak: number }>;
  };
}

export async function summarize(
  db: Db,
  config: CommunityConfig,
  window: { start: DateTime; end: DateTime; until: Date },
  dataDir: string,
): Promise<DemoSummary> {
  const week = previousPeriod(periodOf('week', dayIn(window.end.toJSDate(), config.timezone)));
  const id = digestId(config.id, week.key);
  const eml = join(dataDir, 'outbox', 'mail', `${fileSafe(id)}.eml`);
  const html = eml.replace(/\.eml$/, '.html');
  const [items, report, deliveries] = await Promise.all([
    listOutbox(db, config.id),
    digestReport(db, config, week, window.until),
    deliveriesBetween(
      db,
      config.id,
      dayIn(window.start.toJSDate(), config.timezone),
      dayIn(window.until, config.timezone),
    ),
  ]);
  const digestItem = items.find((item) => item.id === id);
  const exists = async (path: string) =>
    access(path).then(
      () => true,
      () => false,
    );
  const sent = digestItem?.status === 'sent' && (await exists(eml)) && (await exists(html));

  const kinds: DemoSummary['kinds'] = {};
  for (const item of items) {
    kinds[item.kind] ??= { sent: 0, skipped: {}, pending: 0, failed: 0 };
    const k = kinds[item.kind];
    if (item.status === 'sent') k.sent++;
    else if (item.status === 'pending') k.pending++;
    else if (item.status === 'failed') k.failed++;
    else k.skipped[item.reason ?? 'unknown'] = (k.skipped[item.reason ?? 'unknown'] ?? 0) + 1;
  }
  const n = report.numbers;
  return {
    week: week.key,
    digest: sent
      ? { status: 'sent', eml, html }
      : { status: digestItem?.status ?? 'not decided', ...(digestItem?.reason ? { reason: digestItem.reason } : {}) },
    headline: {
      members: n.members,
      joins: n.joins,
      leaves: n.leaves,
      wau: n.wau,
      avgDau: n.avgDau,
      stickiness: n.stickiness,
      messages: n.messages,
      replies: n.replies,
      reactions: n.reactions,
      activation: n.activation,
      churn: n.churn,
      referralsQualified: n.referrals.qualified,
      tiers: n.tiers.distribution,
    },
    kinds: Object.fromEntries(Object.entries(kinds).sort(([a], [b]) => a.localeCompare(b))),
    heldBack: deliveries.held,
    calendar: {
      posts: report.calendar.posts.length,
      replies: sum(report.calendar.posts.map((p) => p.replies ?? 0)),
      reactions: sum(report.calendar.posts.map((p) => p.reactions ?? 0)),
      channelMessages: sum(report.calendar.posts.map((p) => p.channelMessages ?? 0)),
      challenges: report.calendar.challenges.map((c) => ({
        id: c.id,
        participants: c.participants,
        completed: c.completed,
        longestStreak: c.longest[0]?.best ?? 0,
      })),
    },
  };
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** `1 post`, `2 posts`. */
const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

const percent = (rate: number | null) => (rate === null ? 'n/a' : `${(rate * 100).toFixed(1)} %`);

/** The summary as a person reads it. */
export function describeSummary(summary: DemoSummary, label: (kind: string) => string): string {
  const h = summary.headline;
  const lines = [
    summary.digest.status === 'sent'
      ? `The ${summary.week} digest, as the operators received it:\n  ${summary.digest.eml}\n  ${summary.digest.html}`
      : `The ${summary.week} digest was not sent: ${summary.digest.status}${summary.digest.reason ? ` (${summary.digest.reason})` : ''}`,
    '',
    `${summary.week}: ${h.members} members (${h.joins} joined, ${h.leaves} left), WAU ${h.wau}, average DAU ${h.avgDau.toFixed(1)}, stickiness ${percent(h.stickiness)}`,
    `  ${h.messages} messages, ${h.replies} replies, ${h.reactions} reactions; activation ${percent(h.activation)}, churn ${percent(h.churn)}; ${plural(h.referralsQualified, 'referral')} qualified`,
    `  tiers: ${
      Object.entries(h.tiers)
        .map(([tier, count]) => `${tier} ${count}`)
        .join(', ') || 'none yet'
    }`,
    `  calendar: ${plural(summary.calendar.posts, 'post')}, ${summary.calendar.replies} replies, ${summary.calendar.reactions} reactions and ${summary.calendar.channelMessages} messages in their channel in the day after${summary.calendar.challenges
      .map(
        (c) =>
          `; challenge ${c.id}: ${c.participants} took part, ${c.completed} checked in every day, longest streak ${c.longestStreak} days`,
      )
      .join('')}`,
    '',
    'Messages over the whole replay, by kind: sent, and not sent by the guardrail that held them back',
  ];
  const width = Math.max(...Object.keys(summary.kinds).map((k) => label(k).length), 4);
  for (const [kind, k] of Object.entries(summary.kinds)) {
    const held = Object.entries(k.skipped)
      .sort(([, a], [, b]) => b - a)
      .map(([reason, count]) => `${count} ${reason}`);
    if (k.pending) held.push(`${k.pending} still pending`);
    if (k.failed) held.push(`${k.failed} failed`);
    lines.push(
      `  ${label(kind).padEnd(width)}  ${String(k.sent).padStart(5)} sent${held.length ? `; ${held.join(', ')}` : ''}`,
    );
  }
  const held = Object.entries(summary.heldBack).sort(([, a], [, b]) => b - a);
  lines.push(
    `Held back by a guardrail (each item once per guardrail; a wait may end in a send): ${
      held.length ? held.map(([reason, count]) => `${reason} ${count}`).join(', ') : 'none'
    }`,
  );
  return lines.join('\n');
}
