import { type OperatorLocale, operatorLocale } from '../../domain/locale';
import { escapeHtml } from '../../mail/html';
import type { GOOD_DIRECTION } from './directions';
import type { Change } from './numbers';
import type { DigestReport } from './report';

/**
 * The digest as an email: a subject, a text part and an HTML part built from
 * one model (sections of labelled values), so the text carries every number
 * the HTML shows. The HTML is what mail clients render: tables and inline
 * styles only, no scripts, no images (the trend bars are table cells sized
 * by value), every value escaped. Labels, numbers and dates follow the
 * community's locale (`en`, `zh-CN`).
 */

type Locale = OperatorLocale;

const LABELS: Record<Locale, Record<string, string>> = {
  en: {
    growth: 'Growth',
    engagement: 'Engagement',
    lifecycle: 'Lifecycle',
    automation: 'Automation',
    loops: 'Growth loops',
    people: 'People',
    targets: 'Targets',
    attention: 'Needs you',
    trends: 'Trends',
    members: 'Members',
    joins: 'Joins',
    leaves: 'Leaves',
    net: 'Net',
    growthRate: 'Growth rate',
    wau: 'Weekly active',
    'wau.month': 'Active in the month',
    'wau.quarter': 'Active in the quarter',
    avgDau: 'Average daily active',
    mau: 'Monthly active',
    stickiness: 'Stickiness',
    messages: 'Messages',
    replies: 'Replies',
    reactions: 'Reactions',
    messagesPerActive: 'Messages per active member',
    interactionRate: 'Interaction rate',
    activation: 'Activation of newcomers',
    churn: 'Churn',
    winbackSuccess: 'Win-back success',
    winbacksSent: 'Win-backs sent',
    retention: 'Retention by join week',
    'retention.month': 'Retention by join month',
    'retention.quarter': 'Retention by join quarter',
    sent: 'Sent',
    held: 'Held back',
    failedWaiting: 'Failed sends waiting for you',
    dripCompletion: 'Onboarding completed',
    codesIssued: 'Invite codes issued',
    joinedThroughCode: 'Joined through a code',
    qualified: 'Referrals qualified',
    topReferrers: 'Top referrers',
    topContributors: 'Top contributors',
    calendar: 'Calendar',
    'post.replies': 'replies',
    'post.reactions': 'reactions',
    'post.channel': 'messages in the channel in 24 h',
    'post.uncounted': 'sent; responses not counted on this platform',
    challenge: 'Challenge',
    participants: 'participants',
    completed: 'completed',
    longestStreak: 'Longest streak',
    days: 'days',
    tiers: 'Tiers',
    promoted: 'Promoted',
    demoted: 'Demoted',
    onPace: 'on pace',
    offPace: 'off pace',
    low: 'at 80 % or less of its average over the 4 periods before',
    high: 'at 120 % or more of its average over the 4 periods before',
    failed: 'failed sends wait for you',
    none: 'n/a',
    // What to look at, for each thing that needs an operator.
    'look.activation':
      'Newcomers were slow to start: read the welcome and the first drip step; `hearth outbox --community {id}` shows what was sent.',
    'look.wau':
      'Fewer members took part: look at what was posted and who went quiet; `hearth leaderboard {id}` shows who still takes part.',
    'look.churn':
      'More of the members active in the 4 weeks before went quiet: see the win-backs with `hearth outbox --community {id}`.',
    'look.leaves': 'More members left than usual: look at what happened in the period.',
    'look.failedWaiting':
      '`hearth outbox --community {id} --status failed` lists them; `hearth outbox retry <id>` sends one again.',
    'look.offPace': 'At the pace of the last 4 periods it reaches {projected} by {by}.',
    // Why the dispatcher held an item back (its reasons, in English as stored).
    'quiet hours': 'Quiet hours',
    'frequency cap': 'Frequency cap',
    'dry run': 'Dry run',
    'member opted out': 'Member opted out',
    'member left': 'Member left',
    'member is staff': 'Member is staff',
    'member is a bot': 'Member is a bot',
    'member unknown': 'Member unknown',
    'member active again': 'Member active again',
    'too late: its day has passed': 'Too late: its day had passed',
    'quiet hours until its day had passed': 'Quiet hours until its day had passed',
    'frequency cap until its day had passed': 'Frequency cap until its day had passed',
  },
  'zh-CN': {
    growth: '增长',
    engagement: '活跃',
    lifecycle: '生命周期',
    automation: '自动化',
    loops: '增长循环',
    people: '成员',
    targets: '目标',
    attention: '需要你关注',
    trends: '趋势',
    members: '成员数',
    joins: '加入',
    leaves: '离开',
    net: '净增',
    growthRate: '增长率',
    wau: '周活跃',
    'wau.month': '月内活跃',
    'wau.quarter': '季度内活跃',
    avgDau: '日均活跃',
    mau: '月活跃',
    stickiness: '黏性',
    messages: '消息',
    replies: '回复',
    reactions: '表情回应',
    messagesPerActive: '人均消息',
    interactionRate: '互动率',
    activation: '新人激活率',
    churn: '流失率',
    winbackSuccess: '召回成功率',
    winbacksSent: '召回消息',
    retention: '按加入周的留存',
    'retention.month': '按加入月的留存',
    'retention.quarter': '按加入季度的留存',
    sent: '已发送',
    held: '被拦下',
    failedWaiting: '等你处理的发送失败',
    dripCompletion: '完成新人引导',
    codesIssued: '发放的邀请码',
    joinedThroughCode: '通过邀请码加入',
    qualified: '有效邀请',
    topReferrers: '邀请排行',
    topContributors: '贡献排行',
    calendar: '运营日历',
    'post.replies': '条回复',
    'post.reactions': '个表情',
    'post.channel': '条 24 小时内频道消息',
    'post.uncounted': '已发布；此平台无法统计回应',
    challenge: '打卡挑战',
    participants: '人参与',
    completed: '完成',
    longestStreak: '最长连续打卡',
    days: '天',
    tiers: '分层',
    promoted: '晋升',
    demoted: '降级',
    onPace: '进度正常',
    offPace: '进度落后',
    low: '不到此前四个周期平均值的 80%',
    high: '达到此前四个周期平均值的 120% 以上',
    failed: '有发送失败等你处理',
    none: '无',
    'look.activation': '新人起步慢：看看欢迎语和第一步引导；`hearth outbox --community {id}` 可查看发出的消息。',
    'look.wau': '参与的成员变少：看看发了什么、谁沉默了；`hearth leaderboard {id}` 可查看仍在参与的成员。',
    'look.churn': '此前四周活跃的成员中有更多人沉默：用 `hearth outbox --community {id}` 查看召回消息。',
    'look.leaves': '离开的成员比平时多：看看这段时间发生了什么。',
    'look.failedWaiting':
      '`hearth outbox --community {id} --status failed` 列出它们；`hearth outbox retry <id>` 重新发送。',
    'look.offPace': '按最近四个周期的进度，到 {by} 将达到 {projected}。',
    'quiet hours': '免打扰时段',
    'frequency cap': '频率上限',
    'dry run': '演练模式',
    'member opted out': '成员已退订',
    'member left': '成员已离开',
    'member is staff': '成员是工作人员',
    'member is a bot': '成员是机器人',
    'member unknown': '未知成员',
    'member active again': '成员已重新活跃',
    'too late: its day has passed': '已过当天',
    'quiet hours until its day had passed': '免打扰至当天结束',
    'frequency cap until its day had passed': '频率上限至当天结束',
  },
};

/** One labelled value, with its change against the period before when it has one. */
interface Entry {
  label: string;
  value: string;
  change?: string;
  /** Whether the change is good, for its colour. */
  good?: boolean | null;
  /** A bar's share of its row's largest value (trends), 0 to 1. */
  bar?: number;
  /** What to look at (attention), under the label. */
  note?: string;
}

interface Section {
  title: string;
  entries: Entry[];
}

/** The email of a digest. */
export interface DigestEmail {
  subject: string;
  text: string;
  html: string;
}

/** What other workflows call things, in the digest's locale: an outbox kind's sends, a tier. */
export interface DigestNames {
  kind(kind: string): string;
  tier(tier: string): string;
}

const RAW_NAMES: DigestNames = { kind: (kind) => kind, tier: (tier) => tier };

/**
 * Render `report` in its community's locale; `names` gives what other
 * workflows call an outbox kind's sends and a tier in that locale (the
 * registry's labels and the standing's texts, which this module may not
 * import: the registry imports the digest).
 */
export function renderDigest(report: DigestReport, names: DigestNames = RAW_NAMES): DigestEmail {
  const locale: Locale = operatorLocale(report.community.locale);
  // A label may have a wording of its own for a month or a quarter (`wau.month`).
  const label = (key: string) => LABELS[locale][`${key}.${report.period.kind}`] ?? LABELS[locale][key] ?? key;
  const integer = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const decimal = new Intl.NumberFormat(locale, { maximumFractionDigits: 1, minimumFractionDigits: 1 });
  const pct = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
  const signed = new Intl.NumberFormat(locale, {
    style: 'percent',
    maximumFractionDigits: 1,
    signDisplay: 'exceptZero',
  });
  const date = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' });
  const day = (d: string) => date.format(new Date(`${d}T12:00:00Z`));
  const rate = (r: number | null) => (r === null ? label('none') : pct.format(r));
  const { numbers: n, changes, period } = report;
  const withChange = (key: string, value: string): Entry => {
    const c: Change | undefined = changes[key];
    return {
      label: label(key),
      value,
      ...(c ? { change: c.change === null ? label('none') : signed.format(c.change), good: c.good } : {}),
    };
  };
  const count = (key: keyof typeof n) => withChange(key, integer.format(n[key] as number));
  // A tile that is zero is left out, unless it was not zero the period before (a drop to zero is news).
  const nonzero = (entries: Entry[], values: Array<number | null>, keys: string[] = []) =>
    entries.filter((_, i) => values[i] !== 0 || (changes[keys[i]]?.previous ?? 0) !== 0);
  const who = (person: { memberId: string; name?: string }) => person.name ?? person.memberId;

  const sections: Section[] = [
    // What needs the operator comes first: it is why they open the email.
    {
      title: label('attention'),
      entries: report.attention.map((a) => ({
        label: label(a.metric),
        value:
          a.kind === 'low' || a.kind === 'high'
            ? `${formatMetric(a.metric, a.value, integer, pct)}: ${label(a.kind)} (${formatMetric(a.metric, a.against, integer, pct)})`
            : `${formatMetric(a.metric, a.value, integer, pct)}: ${label(a.kind)}`,
        good: false,
        note: fill(label(a.kind === 'offPace' ? 'look.offPace' : `look.${a.metric}`), {
          id: report.community.id,
          by: a.by ? day(a.by) : '',
          projected: a.projected === undefined ? '' : formatMetric(a.metric, a.projected, integer, pct),
        }),
      })),
    },
    {
      title: label('growth'),
      entries: nonzero(
        [count('members'), count('joins'), count('leaves'), count('net'), withChange('growthRate', rate(n.growthRate))],
        [n.members, n.joins, n.leaves, n.net, n.growthRate],
        ['members', 'joins', 'leaves', 'net', 'growthRate'],
      ),
    },
    {
      title: label('engagement'),
      entries: nonzero(
        [
          count('wau'),
          withChange('avgDau', decimal.format(n.avgDau)),
          count('mau'),
          withChange('stickiness', rate(n.stickiness)),
          count('messages'),
          withChange(
            'messagesPerActive',
            n.messagesPerActive === null ? label('none') : decimal.format(n.messagesPerActive),
          ),
          withChange('interactionRate', rate(n.interactionRate)),
        ],
        [n.wau, n.avgDau, n.mau, n.stickiness, n.messages, n.messagesPerActive, n.interactionRate],
        ['wau', 'avgDau', 'mau', 'stickiness', 'messages', 'messagesPerActive', 'interactionRate'],
      ),
    },
    {
      title: label('lifecycle'),
      entries: [
        ...(n.newcomers ? [withChange('activation', `${rate(n.activation)} (${integer.format(n.newcomers)})`)] : []),
        ...(n.churn !== null ? [withChange('churn', rate(n.churn))] : []),
        ...(n.dripFinished
          ? [withChange('dripCompletion', `${rate(n.dripCompletion)} (${integer.format(n.dripFinished)})`)]
          : []),
        ...n.retention
          .filter((cell) => cell.size > 0)
          .map((cell) => ({ label: `${label('retention')} ${cell.cohort} +${cell.k}`, value: rate(cell.rate) })),
      ],
    },
    {
      title: label('automation'),
      entries: [
        ...Object.entries(n.automation.sent).map(([kind, sent]) => ({
          label: `${label('sent')}: ${names.kind(kind)}`,
          value: integer.format(sent),
        })),
        ...Object.entries(n.automation.held).map(([why, held]) => ({
          label: `${label('held')}: ${label(why)}`,
          value: integer.format(held),
        })),
        ...(n.winbacksSent
          ? [withChange('winbackSuccess', `${rate(n.winbackSuccess)} (${integer.format(n.winbacksSent)})`)]
          : []),
        ...(n.automation.failedWaiting
          ? [
              {
                label: label('failedWaiting'),
                value: integer.format(n.automation.failedWaiting),
                note: fill(label('look.failedWaiting'), { id: report.community.id }),
              },
            ]
          : []),
      ],
    },
    {
      title: label('loops'),
      entries: [
        ...nonzero(
          [
            { label: label('codesIssued'), value: integer.format(n.referrals.codesIssued) },
            { label: label('joinedThroughCode'), value: integer.format(n.referrals.joinedThroughCode) },
            { label: label('qualified'), value: integer.format(n.referrals.qualified) },
          ],
          [n.referrals.codesIssued, n.referrals.joinedThroughCode, n.referrals.qualified],
        ),
        ...n.referrals.top.map((t) => ({
          label: `${label('topReferrers')}: ${who(t)}`,
          value: integer.format(t.qualified),
        })),
      ],
    },
    {
      title: label('people'),
      entries: [
        ...n.topContributors.map((t) => ({
          label: `${label('topContributors')}: ${who(t)}`,
          value: integer.format(t.activities),
        })),
        ...Object.entries(n.tiers.distribution)
          .filter(([, members]) => members > 0)
          .map(([tier, members]) => ({
            label: `${label('tiers')}: ${names.tier(tier)}`,
            value: integer.format(members),
          })),
        ...nonzero(
          [
            { label: label('promoted'), value: integer.format(n.tiers.promoted) },
            { label: label('demoted'), value: integer.format(n.tiers.demoted) },
          ],
          [n.tiers.promoted, n.tiers.demoted],
        ),
      ],
    },
    {
      // What the calendar posted and how members responded; the challenges that ran.
      title: label('calendar'),
      entries: [
        ...report.calendar.posts.map((p) => {
          const parts = [
            p.replies === null ? undefined : `${integer.format(p.replies)} ${label('post.replies')}`,
            p.reactions === null ? undefined : `${integer.format(p.reactions)} ${label('post.reactions')}`,
            p.channelMessages === null ? undefined : `${integer.format(p.channelMessages)} ${label('post.channel')}`,
          ].filter(Boolean);
          return {
            label: `${p.entry} · ${p.local}${p.owner ? ` · ${p.owner}` : ''}`,
            value: parts.length ? parts.join(' · ') : label('post.uncounted'),
          };
        }),
        ...report.calendar.challenges.flatMap((c) => [
          {
            label: `${label('challenge')}: ${c.id}${c.owner ? ` · ${c.owner}` : ''}`,
            value: `${integer.format(c.participants)} ${label('participants')} · ${rate(c.completionRate)} ${label('completed')}`,
          },
          ...c.longest.map((l) => ({
            label: `${label('longestStreak')}: ${who(l)}`,
            value: `${integer.format(l.best)} ${label('days')}`,
          })),
        ]),
      ],
    },
    {
      title: label('targets'),
      entries: report.targets.map((t) => ({
        label: `${label(t.metric)} → ${formatMetric(t.metric, t.value, integer, pct)} (${day(t.by)})`,
        value: `${t.current === null ? label('none') : formatMetric(t.metric, t.current, integer, pct)}, ${label(t.onPace === false ? 'offPace' : 'onPace')}`,
        good: t.onPace,
      })),
    },
    {
      title: label('trends'),
      entries: (['members', 'wau', 'messages'] as const).flatMap((metric) => {
        const values = report.trends.map((t) => t[metric]);
        const top = Math.max(1, ...values.map((v) => v ?? 0));
        // A period whose number is unknown says so, with no bar, rather than a zero.
        return report.trends.map((t, i) => ({
          label: `${label(metric)} ${t.period}`,
          value: values[i] === null ? label('none') : integer.format(values[i] as number),
          bar: (values[i] ?? 0) / top,
        }));
      }),
    },
  ].filter((section) => section.entries.length > 0);

  const headline = `${report.community.name} · ${period.key}: ${label('members')} ${integer.format(n.members)}${changeText(changes.members, signed, label)}, ${label('wau')} ${integer.format(n.wau)}${changeText(changes.wau, signed, label)}`;
  const lead = mostImportant(report, label, signed);
  const subject = lead ? `${headline} · ${lead}` : headline;
  const span = `${day(period.first)} – ${day(period.last)}`;
  return {
    subject,
    text: toText(subject, span, sections),
    html: toHtml(report.community.name, span, sections, locale),
  };
}

const changeText = (c: Change | undefined, signed: Intl.NumberFormat, label: (k: string) => string) =>
  c ? ` (${c.change === null ? label('none') : signed.format(c.change)})` : '';

/** The metrics that are averages, shown with a decimal. */
const AVERAGES: ReadonlySet<string> = new Set(['avgDau', 'messagesPerActive'] satisfies Array<
  keyof typeof GOOD_DIRECTION
>);

/** The metrics that are fractions, shown as percentages. */
const RATES: ReadonlySet<string> = new Set([
  'growthRate',
  'stickiness',
  'interactionRate',
  'activation',
  'churn',
  'winbackSuccess',
  'dripCompletion',
] satisfies Array<keyof typeof GOOD_DIRECTION>);

function formatMetric(metric: string, value: number, integer: Intl.NumberFormat, pct: Intl.NumberFormat): string {
  if (RATES.has(metric)) return pct.format(value);
  if (AVERAGES.has(metric)) return value.toLocaleString(integer.resolvedOptions().locale, { maximumFractionDigits: 1 });
  return integer.format(value);
}

/** A label with its `{name}` placeholders filled. */
const fill = (text: string, values: Record<string, string>): string =>
  text.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);

/** The change that matters most: the first thing needing attention, else the largest move the wrong way, else the largest. */
function mostImportant(
  report: DigestReport,
  label: (k: string) => string,
  signed: Intl.NumberFormat,
): string | undefined {
  const [first] = report.attention;
  if (first) return `${label(first.metric)}: ${label(first.kind)}`;
  const moves = Object.entries(report.changes).filter(([, c]) => c.change !== null && c.change !== 0);
  moves.sort(([, a], [, b]) => Number(a.good) - Number(b.good) || Math.abs(b.change ?? 0) - Math.abs(a.change ?? 0));
  const [top] = moves;
  return top ? `${label(top[0])} ${signed.format(top[1].change as number)}` : undefined;
}

function toText(subject: string, span: string, sections: Section[]): string {
  const lines = [subject, span, ''];
  for (const section of sections) {
    lines.push(section.title);
    for (const e of section.entries) {
      lines.push(`  ${e.label}: ${e.value}${e.change ? ` (${e.change})` : ''}`);
      if (e.note) lines.push(`    ${e.note}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

const COLOURS = { good: '#1a7f37', bad: '#cf222e', text: '#1f2328', muted: '#59636e', bar: '#0969da', line: '#d1d9e0' };

function toHtml(community: string, span: string, sections: Section[], locale: Locale): string {
  const cell = `padding:6px 8px;border-bottom:1px solid ${COLOURS.line};font-size:14px;`;
  const rows = (section: Section) =>
    section.entries
      .map((e) => {
        const colour = e.good === true ? COLOURS.good : e.good === false ? COLOURS.bad : COLOURS.muted;
        const change = e.change
          ? ` <span style="color:${colour};font-size:12px;">(${escapeHtml(e.change)})</span>`
          : '';
        const value =
          e.bar === undefined
            ? `${escapeHtml(e.value)}${change}`
            : `<table role="presentation" cellpadding="0" cellspacing="0" border="0" width="100%"><tr><td width="${Math.max(1, Math.round(e.bar * 100))}%" style="background:${COLOURS.bar};height:12px;font-size:0;line-height:0;">&nbsp;</td><td style="padding-left:6px;font-size:12px;white-space:nowrap;">${escapeHtml(e.value)}</td></tr></table>`;
        const note = e.note
          ? `<div style="padding-top:2px;font-size:12px;color:${COLOURS.muted};">${escapeHtml(e.note)}</div>`
          : '';
        return `<tr><td style="${cell}color:${COLOURS.text};">${escapeHtml(e.label)}${note}</td><td style="${cell}text-align:right;color:${COLOURS.text};width:45%;">${value}</td></tr>`;
      })
      .join('');
  const body = sections
    .map(
      (s) =>
        `<tr><td style="padding:16px 0 4px;font-size:16px;font-weight:bold;color:${COLOURS.text};">${escapeHtml(s.title)}</td></tr><tr><td><table role="presentation" cellpadding="0" cellspacing="0" border="0" width="100%">${rows(s)}</table></td></tr>`,
    )
    .join('');
  return `<!DOCTYPE html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(community)}</title></head><body style="margin:0;padding:0;background:#ffffff;font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;"><table role="presentation" cellpadding="0" cellspacing="0" border="0" width="100%"><tr><td align="center" style="padding:16px;"><table role="presentation" cellpadding="0" cellspacing="0" border="0" width="100%" style="max-width:600px;"><tr><td style="font-size:20px;font-weight:bold;color:${COLOURS.text};">${escapeHtml(community)}</td></tr><tr><td style="font-size:13px;color:${COLOURS.muted};">${escapeHtml(span)}</td></tr>${body}</table></td></tr></table></body></html>`;
}
