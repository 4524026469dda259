import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // The browser tests need Debian's Chromium: `npm run test:browser` (which `.ci/run` runs after installing it).
    // The long ones (weeks of a large community replayed) take minutes: `npm run test:long`, by hand, outside CI's
    // 15 minutes.
    exclude: [
      ...configDefaults.exclude,
      ...(process.env.HEARTH_BROWSER_TESTS ? [] : ['tests/browser/**']),
      ...(process.env.HEARTH_LONG_TESTS ? [] : ['tests/long/**']),
    ],
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
