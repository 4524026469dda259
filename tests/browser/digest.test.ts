/// <reference lib="dom" />
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestNames } from '../../cli/commands/digest';
import { renderDigest } from '../../shared/workflows/digest/email';
import { report } from '../support/digest-report';
import { communityConfig } from '../support/fixtures';

/** Debian's Chromium (`apt-get install -y chromium`); `.ci/run` installs it. Never a downloaded browser. */
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(import.meta.dirname, 'artifacts');

describe('The digest email in a real headless browser', () => {
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    await mkdir(ARTIFACTS, { recursive: true });
  }, 60_000);
  afterAll(() => browser?.close());

  it.each([
    ['en', 600],
    ['en', 375],
    ['zh-CN', 600],
    ['zh-CN', 375],
  ])(
    'renders the %s digest at %i px wide with no horizontal overflow, nothing fetched and no script',
    async (locale, width) => {
      // Prepare
      // With the names the dispatcher gives kinds and tiers in the locale.
      const names = digestNames(communityConfig({ locale }));
      const { html } = renderDigest(report(locale === 'en' ? 'Acme Makers' : '创客社区', locale), names);
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      const requests: string[] = [];
      page.on('request', (request) => requests.push(request.url()));

      // Act
      await page.setContent(html, { waitUntil: 'load' });
      const layout = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        scripts: document.scripts.length,
        images: document.images.length,
        text: document.body.textContent ?? '',
      }));
      await writeFile(join(ARTIFACTS, `digest-${locale}-${width}.png`), await page.screenshot({ fullPage: true }));
      await page.close();

      // Assess
      expect(layout.scrollWidth).toBeLessThanOrEqual(width);
      expect([layout.scripts, layout.images]).toEqual([0, 0]);
      expect(requests).toEqual([]);
      expect(layout.text).toContain(locale === 'en' ? 'Weekly active' : '周活跃');
      expect(layout.text).toContain('312');
      expect(layout.text).toContain(locale === 'en' ? 'Welcomes' : '欢迎消息');
    },
  );
});
