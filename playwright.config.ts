import { defineConfig } from '@playwright/test';
import { portalPort as port, portalURL as baseURL, runtimePort, runtimeURL } from './tests/e2e/ports';

// Browser tests run the production build (npm run build) on a fresh embedded database, in
// Debian's Chromium: no browser can be downloaded here. CHROMIUM_PATH overrides the path.

export default defineConfig({
  testDir: 'tests/e2e',
  fullyParallel: true,
  workers: 2,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [['list']] : [['list']],
  use: {
    baseURL,
    trace: 'retain-on-failure',
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
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
  webServer: {
    command: 'rm -rf .test-data/e2e && tsx scripts/start.ts --skip-build',
    url: `${baseURL}/login`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      PORT: String(port),
      DATABASE_URL: 'file:.test-data/e2e/portal.db',
      RUNTIME_PORT: String(runtimePort),
      RUNTIME_HOST: '127.0.0.1',
      RUNTIME_PUBLIC_URL: runtimeURL,
      RUNTIME_DATA_DIR: '.test-data/e2e/runtime',
      NEXT_TELEMETRY_DISABLED: '1',
    },
  },
});
