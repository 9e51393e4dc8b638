// Type-level tests, checked by `npm run typecheck` (tsc): each `@ts-expect-error` line must fail
// to compile, or tsc reports the directive as unused. Nothing here runs.
import type { AppAccess, OrgAccess } from '@/lib/auth/access';
import { grant, grantIf, type Granted, type Permission } from '@/lib/auth/permissions';
import { apiKeysOf, listAppsWithoutKeys, listAppsWithPrimaryKey } from '@/lib/api/management';
import { getApiKeysForDisplay, getApiKeyUsage } from '@/lib/data/apps';
import { revealApiKey } from '@/lib/data/api-keys';

export async function pageThatForgetsTheCheck(access: AppAccess, org: OrgAccess, row: { id: string; ciphertext: string }) {
  // @ts-expect-error The General page cannot decrypt keys with an access that was not checked for key:view.
  await getApiKeysForDisplay(access);
  // @ts-expect-error GET /v1/apps/{id}/api-keys cannot answer keys without the check.
  await apiKeysOf(access);
  // @ts-expect-error GET /v1/apps cannot list primary keys without the check.
  await listAppsWithPrimaryKey(org);
  // @ts-expect-error No row is decrypted without the proof.
  revealApiKey(org, row);

  // A check of another permission is no proof of key:view.
  const regenerate: Granted<AppAccess, 'key:regenerate'> = grant(access, 'key:regenerate');
  // @ts-expect-error key:regenerate does not prove key:view.
  await getApiKeysForDisplay(regenerate);

  // Seeing the app (every role, viewers included) is no proof of key:view either.
  const view = grant(org, 'app:view');
  // @ts-expect-error app:view does not prove key:view: GET /v1/apps lists a viewer no key.
  await listAppsWithPrimaryKey(view);
  // @ts-expect-error nor for an app.
  await getApiKeysForDisplay(grant(access, 'app:view'));
  // What a viewer gets needs no proof: no key is read.
  await listAppsWithoutKeys(view);
  await getApiKeyUsage(access);
  const keyView = grantIf(view, 'key:view');
  if (keyView) await listAppsWithPrimaryKey(keyView);

  // A permission typed widely (any of them) proves none of them.
  const some = 'app:delete' as Permission;
  // @ts-expect-error a check of a permission not known at compile time is no proof of key:view.
  await getApiKeysForDisplay(grant(access, some));
  const either = 'app:delete' as 'app:delete' | 'key:view';
  // @ts-expect-error nor is a check of one of two.
  await getApiKeysForDisplay(grant(access, either));

  // The check itself is the proof.
  await getApiKeysForDisplay(grant(access, 'key:view'));
  const maybe = grantIf(access, 'key:view');
  if (maybe) await apiKeysOf(maybe);
  await listAppsWithPrimaryKey(grant(org, 'key:view'));
}
