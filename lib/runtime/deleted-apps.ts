import type { AppDatabases } from './app-databases';
import type { KeyStore } from './key-store';

/**
 * Removes the runtime data of apps deleted in the portal: every database file in this runtime's
 * folder whose app no longer exists. Each instance sweeps its own folder, at start and then
 * every minute, so a deleted app's data leaves every instance that held it. (Its keys stop
 * working at once anyway: they are deleted with the app, and every request looks its key up.)
 */
export async function removeDeletedApps(
  keys: Pick<KeyStore, 'existingApps'>,
  databases: AppDatabases,
  log: (message: string) => void = () => undefined,
): Promise<number[]> {
  const stored = databases.storedAppIds();
  if (stored.length === 0) return [];
  const existing = await keys.existingApps(stored);
  const deleted = stored.filter((id) => !existing.has(id));
  for (const appId of deleted) {
    await databases.remove(appId);
    log(`[runtime] removed the data of deleted app ${appId}`);
  }
  return deleted;
}

export const DELETED_APPS_SWEEP_MS = 60_000;
