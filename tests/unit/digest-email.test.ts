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
