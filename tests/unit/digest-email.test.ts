import { describe, expect, it } from 'vitest';
import { renderDigest } from '../../shared/workflows/digest/email';
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
    const en = renderDigest(report('Acme Makers'), (kind) => (kind === 'welcome' ? 'Welcomes' : kind)).text;
    const zh = renderDigest(report('创客社区', 'zh-CN'), (kind) => labels[kind] ?? kind).text;
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
