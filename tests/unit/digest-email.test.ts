import { describe, expect, it } from 'vitest';
import { renderDigest } from '../../shared/workflows/digest/email';
import { changeOf } from '../../shared/workflows/digest/numbers';
import { type Period, parsePeriod } from '../../shared/workflows/digest/periods';
import { report } from '../support/digest-report';

/** The text a reader sees in an HTML part: tags dropped, entities decoded. */
const visible = (html: string) =>
  html
    .replace(/<title>.*?<\/title>/s, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

describe('Function: renderDigest', () => {
  it('says in the subject the community, the week, members and WAU with their change, and what matters most', () => {
    // Act
    const { subject } = renderDigest(report('Acme Makers'));

    // Assess
    expect(subject).toBe(
      'Acme Makers · 2026-W49: Members 1,204 (+2%), Weekly active 312 (-20%) · Weekly active: at 80 % or less of its average over the 4 periods before',
    );
  });

  it('carries in the text part every number the HTML part shows', () => {
    // Act
    const { text, html } = renderDigest(report('Acme Makers'));

    // Assess
    const numbers = visible(html).match(/[+-]?\d[\d,.]*%?/g) ?? [];
    expect(numbers.length).toBeGreaterThan(40);
    for (const number of numbers) expect(text).toContain(number);
  });

  it('escapes every value, and holds no script, image, data URI or external resource', () => {
    // Act
    const { html } = renderDigest(report('<script>alert(1)</script> & "Co"'));

    // Assess
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Co&quot;');
    expect(html).not.toMatch(/<script|<img|data:|https?:\/\/|<link|<style/i);
  });

  it('leaves out zero tiles and empty lists, and keeps the command that shows failed sends', () => {
    // Act
    const { text } = renderDigest(report('Acme Makers'));

    // Assess
    expect(text).not.toContain('Leaves');
    expect(text).not.toContain('Demoted');
    expect(text).not.toContain('2026-W47 +1');
    expect(text).toContain('Failed sends waiting for you: 2');
    expect(text).toContain('hearth outbox --community acme --status failed');
    expect(text).toContain('Retention by join week 2026-W48 +1: 50%');
  });

  it('says with each thing that needs an operator what to look at, in both parts', () => {
    // Act
    const { text, html } = renderDigest(report('Acme Makers'));

    // Assess
    const notes = [
      'Fewer members took part: look at what was posted and who went quiet; `hearth leaderboard acme` shows who still takes part.',
      'At the pace of the last 4 periods it reaches 350 by Dec 31, 2026.',
      '`hearth outbox --community acme --status failed` lists them; `hearth outbox retry <id>` sends one again.',
    ];
    for (const note of notes) {
      expect(text).toContain(`    ${note}`);
      expect(visible(html)).toContain(note);
    }
  });

  it('names what was sent by each kind label, and why items were held back, in the locale', () => {
    // Arrange
    const labels: Record<string, string> = { welcome: '欢迎消息' };

    // Act
    const en = renderDigest(report('Acme Makers'), {
      kind: (kind) => (kind === 'welcome' ? 'Welcomes' : kind),
      tier: (tier) => `Tier ${tier}`,
    }).text;
    const zh = renderDigest(report('创客社区', 'zh-CN'), { kind: (kind) => labels[kind] ?? kind, tier: (t) => t }).text;
    const unlabelled = renderDigest(report('Acme Makers')).text;

    // Assess
    expect(en).toContain('Sent: Welcomes: 30');
    expect(en).toContain('Held back: Quiet hours: 4');
    expect(zh).toContain('已发送: 欢迎消息: 30');
    expect(zh).toContain('被拦下: 免打扰时段: 4');
    expect(unlabelled).toContain('Sent: welcome: 30');
  });

  it('shows the share of newcomers who completed the drip, with how many it is of', () => {
    // Act
    const { text } = renderDigest(report('Acme Makers'));

    // Assess
    expect(text).toContain('Onboarding completed: 66.7% (6)');
  });

  it('says what the calendar posted, by whom, how members responded, and how each challenge went', () => {
    // Act
    const { text, html } = renderDigest(report('Acme'));
    const zh = renderDigest(report('创客社区', 'zh-CN')).text;

    // Assess: both parts (the HTML's label and value in cells of their own); a post whose platform names no
    // message says so rather than show zeros.
    const lines = [
      ['show-and-tell · 2026-12-04 17:00 · Ana', '14 replies · 31 reactions · 86 messages in the channel in 24 h'],
      ['launch · 2026-12-02 12:00', 'sent; responses not counted on this platform'],
      ['Challenge: run-7 · Bo', '40 participants · 30% completed'],
      ['Longest streak: Cy Lu', '7 days'],
      ['Longest streak: dee', '6 days'],
    ];
    expect(text).toContain('Calendar');
    for (const [label, value] of lines) {
      expect(text).toContain(`${label}: ${value}`);
      expect(visible(html)).toMatch(new RegExp(`${label}\\s+${value}`));
    }
    expect(zh).toContain('打卡挑战: run-7 · Bo: 40 人参与 · 30% 完成');
    expect(zh).toContain('最长连续打卡: 陈毅: 7 天');
  });

  it('speaks zh-CN with its own labels and formats', () => {
    // Act
    const { subject, text, html } = renderDigest(report('创客社区', 'zh-CN'));

    // Assess
    expect(subject).toContain('创客社区 · 2026-W49: 成员数 1,204');
    expect(text).toContain('周活跃: 312 (-20%)');
    expect(text).toContain('2026年11月30日');
    expect(html).toContain('lang="zh-CN"');
  });

  it('names people by their name where they have one, tiers by their text, and else by id', () => {
    // Prepare
    const named = report('Acme Makers');
    named.numbers.topContributors = [{ memberId: 'ada', name: 'Ada <Lovelace>', activities: 77, repliesReceived: 3 }];
    named.numbers.referrals.top = [{ memberId: 'bo', qualified: 2, joined: 3 }];

    // Act
    const { text, html } = renderDigest(named, { kind: (k) => k, tier: (t) => (t === 'champion' ? 'KOC' : t) });

    // Assess
    expect(text).toContain('Top contributors: Ada <Lovelace>: 77');
    expect(html).toContain('Ada &lt;Lovelace&gt;');
    expect(text).toContain('Top referrers: bo: 2');
    expect(text).toContain('Tiers: KOC: 14');
  });

  it('keeps a tile that fell to zero, and says n/a for a trend it does not know rather than 0', () => {
    // Prepare
    const dropped = report('Acme Makers');
    dropped.changes.leaves = changeOf('leaves', 0, 3);
    dropped.trends[0] = { period: '2026-W48', members: null, wau: 390, messages: 2500 };

    // Act
    const { text } = renderDigest(dropped);

    // Assess
    expect(text).toContain('Leaves: 0 (-100%)');
    expect(text).toContain('Members 2026-W48: n/a');
    expect(text).not.toContain('Members 2026-W48: 0');
  });

  it('words a month by its period, shows averages with a decimal, and the average an alarm was measured against', () => {
    // Prepare
    const month = report('Acme Makers');
    month.period = parsePeriod('month', '2026-11') as Period;
    month.targets = [
      { metric: 'avgDau', value: 3.5, by: '2026-12-31', current: 3.2, progress: 0.5, projected: 3.4, onPace: false },
    ];

    // Act
    const { text } = renderDigest(month);
    const week = renderDigest(report('Acme Makers')).text;

    // Assess
    expect(text).toContain('Active in the month: 312');
    expect(text).toContain('Retention by join month 2026-W48 +1: 50%');
    expect(text).toContain('Average daily active → 3.5 (Dec 31, 2026): 3.2, off pace');
    expect(week).toContain('Weekly active: 312: at 80 % or less of its average over the 4 periods before (400)');
  });
});
