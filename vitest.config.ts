import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // The browser tests need Debian's Chromium: `npm run test:browser` (which `.ci/run` runs after installing it).
    exclude: process.env.HEARTH_BROWSER_TESTS
      ? [...configDefaults.exclude]
      : [...configDefaults.exclude, 'tests/browser/**'],
    globalSetup: ['tests/support/global-setup.ts'],
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    },
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
