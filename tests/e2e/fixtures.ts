// The browser tests' `test`, with a signed-in user for the tests that are not about accounts.
//
// A test that asks for `account` starts signed in: its worker signed a user up once, through the
// sign-up form, and saved the login (Playwright's storage state), which the test's browser
// context takes on. Other pages a test opens (browser.newPage()) start signed out, as before.
// The tests sharing a worker's user run one after the other and never meet: each makes its own
// apps, under names no other test uses. Tests about signing up, in and out and about sessions,
// and tests that need users of their own (members, roles, a second user, a password change),
// sign up their own with signUp.
//
// A worker may run for longer than the step-up window (STEP_UP_WINDOW_SECONDS, 10 minutes by
// default, which the servers keep): each test's session counts as freshly authenticated, as if
// the user had just confirmed it's them, so that regenerating a key or creating a token goes
// ahead without the "Confirm it's you" dialog. tests/e2e/step-up.spec.ts makes it old on purpose.
import path from 'node:path';
import { test as base } from '@playwright/test';
import { setLastAuthentication } from './database';
import { signUp, type Account } from './helpers';

type WorkerUser = { account: Account; storageState: string };

export const test = base.extend<{ account: Account }, { workerUser: WorkerUser }>({
  workerUser: [
    async ({ browser }, provide, workerInfo) => {
      const context = await browser.newContext({ baseURL: workerInfo.project.use.baseURL });
      const account = await signUp(await context.newPage(), 'Wendy');
      const storageState = path.join(workerInfo.project.outputDir, '.auth', `worker-${workerInfo.workerIndex}.json`);
      await context.storageState({ path: storageState });
      await context.close();
      await provide({ account, storageState });
    },
    { scope: 'worker' },
  ],
  account: async ({ context, workerUser }, provide) => {
    await context.setStorageState(workerUser.storageState);
    await setLastAuthentication(workerUser.account.email, new Date());
    await provide(workerUser.account);
  },
});

export { expect } from '@playwright/test';
