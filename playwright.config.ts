import { defineConfig } from '@playwright/test';
import { instanceEnv, portalPort, portalURL, runtimePort } from './tests/e2e/servers';

// Browser tests run the production build on a fresh database (SQLite, or PostgreSQL when
// TEST_DATABASE=postgresql), in Debian's Chromium: no browser can be downloaded here.
// CHROMIUM_PATH overrides the path.
export default defineConfig({
  testDir: 'tests/e2e',
  fullyParallel: true,
  workers: 2,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    baseURL: portalURL,
    trace: 'retain-on-failure',
    // As for a user who asks for less motion: toasts and transitions are at rest when checked.
    reducedMotion: 'reduce',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [
    { name: 'chromium', use: { browserName: 'chromium' }, testIgnore: /(several-instances|sign-in-latency|supervisor)\.spec\.ts/ },
    // Start servers of their own (and flood the database, kill a server, or measure latency): after the others, one test at a time.
    {
      name: 'several-instances',
      use: { browserName: 'chromium' },
      testMatch: /(several-instances|sign-in-latency|supervisor)\.spec\.ts/,
      dependencies: ['chromium'],
      fullyParallel: false,
      workers: 1,
    },
  ],
  webServer: {
    command: 'tsx tests/support/reset-database.ts && tsx scripts/start.ts --skip-build',
    url: `${portalURL}/login`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'pipe',
    stderr: 'pipe',
    env: instanceEnv('a', { portal: portalPort, runtime: runtimePort }),
  },
});
