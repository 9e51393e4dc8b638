// Toasts (react-hot-toast) read as well as the page they sit on: at rest, a toast's text passes
// axe's colour contrast in the light and the dark theme, on a desktop and on a phone. For a user
// who asks for less motion (as every browser test does: playwright.config.ts) a toast appears
// without moving, so it is never read half faded in.
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from './fixtures';
import { createApp, openGeneral, settled } from './helpers';

test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

test('a toast appears at rest when less motion is asked for, and passes axe colour contrast in light and dark at 1280 and 390 px', async ({
  page,
  account,
}) => {
  await createApp(page, account.org, 'toast-demo');
  await openGeneral(page);
  const notifications = page.getByRole('region', { name: 'Notifications' });
  const toast = notifications.getByRole('status').filter({ hasText: 'API Key 1 copied' });

  for (const colorScheme of ['light', 'dark'] as const) {
    for (const viewport of [
      { width: 1280, height: 800 },
      { width: 390, height: 844 },
    ]) {
      const where = `${colorScheme}, ${viewport.width} px`;
      await page.emulateMedia({ colorScheme });
      await page.setViewportSize(viewport);
      // A new toast each time (same message, its four seconds start again).
      await page.getByRole('button', { name: 'Copy API Key 1' }).click();
      await expect(toast, where).toBeVisible();
      // No motion: every animation in the toaster lasts no time at all.
      const moving = await notifications.evaluate((region) =>
        region.getAnimations({ subtree: true }).flatMap((animation) => {
          const duration = Number(animation.effect?.getComputedTiming().activeDuration ?? 0);
          return duration > 0 ? [`${(animation as CSSAnimation).animationName ?? 'animation'} for ${duration} ms`] : [];
        }),
      );
      expect(moving, where).toEqual([]);

      await settled(page);
      const results = await new AxeBuilder({ page }).include('section[aria-label="Notifications"]').withRules(['color-contrast']).analyze();
      expect(
        results.violations.flatMap((violation) => violation.nodes.map((node) => node.failureSummary)),
        where,
      ).toEqual([]);
      // The toast's text was among what axe checked (it had not gone yet).
      const checked = results.passes.filter((rule) => rule.id === 'color-contrast').flatMap((rule) => rule.nodes);
      expect(checked.length, where).toBeGreaterThan(0);
      await expect(toast, where).toBeVisible();
    }
  }
});
