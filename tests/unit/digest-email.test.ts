import { describe, expect, it } from 'vitest';
import { renderDigest } from '../../shared/workflows/digest/email';
import { changeOf } from '../../shared/workflows/digest/numbers';
import { type Period, parsePeriod } from '../../shared/workflows/digest/periods';
import type { DigestReport } from '../../shared/workflows/digest/report';

/** A digest as `digestReport` returns it, for a community named `name`. */
function report(name: string, locale = 'en'): DigestReport {
  const numbers = {
    members: 1204,
    membersAtStart: 1180,
    growthRate: 24 / 1180,
    activation: 0.625,
    newcomers: 8,
    retention: [
      { cohort: '2026-W48', k: 1, rate: 0.5, size: 8 },
      { cohort: '2026-W47', k: 1, rate: null, size: 0 },
    ],
    joins: 30,
    leaves: 0,
    net: 30,
    wau: 312,
    avgDau: 97.4,
    mau: 640,
    stickiness: 97.4 / 640,
    messages: 2048,
    replies: 512,
    reactions: 900,
    messagesPerActive: 2048 / 312,
    interactionRate: 1412 / 2048,
    churn: 0.125,
    topContributors: [{ memberId: 'ada', activities: 77, repliesReceived: 3 }],
    automation: { sent: { welcome: 30 }, held: { 'quiet hours': 4 }, failed: 1, failedWaiting: 2 },
    winbacksSent: 10,
    winbackSuccess: 0.3,
    referrals: {
      codesIssued: 5,
      joinedThroughCode: 3,
      qualified: 2,
      top: [{ memberId: 'bo', qualified: 2, joined: 3 }],
    },
    tiers: {
      distribution: { lurker: 600, newcomer: 30, regular: 400, active: 120, core: 40, champion: 14 },
      promoted: 12,
      demoted: 0,
    },
  };
  return {
    community: { id: 'acme', name, timezone: 'Asia/Shanghai', locale },
    period: parsePeriod('week', '2026-W49') as Period,
    numbers,
    changes: {
      members: changeOf('members', 1204, 1180),
      wau: changeOf('wau', 312, 390),
      leaves: changeOf('leaves', 0, 0),
      churn: changeOf('churn', 0.125, 0.1),
    },
    trends: [
      { period: '2026-W48', members: 1180, wau: 390, messages: 2500 },
      { period: '2026-W49', members: 1204, wau: 312, messages: 2048 },
    ],
    targets: [
      { metric: 'wau', value: 500, by: '2026-12-31', current: 312, progress: 0.4, projected: 350, onPace: false },
    ],
    attention: [{ metric: 'wau', kind: 'low', value: 312, against: 400 }],
  };
}

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
      'Acme Makers · 2026-W49: Members 1,204 (+2%), Weekly active 312 (-20%) · Weekly active: at 80 % or less of its 4-week average',
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
    expect(text).toContain('Failed sends waiting (hearth outbox --status failed): 2');
    expect(text).toContain('Retention by join week 2026-W48 +1: 50%');
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
});
