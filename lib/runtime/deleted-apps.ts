import fs from 'node:fs';
import type { KeyStore } from './key-store';

/**
 * Removes the runtime data of apps deleted in the portal: every database file in this runtime's
 * folder whose app no longer exists. Each instance sweeps its own folder, at start and then
 * every minute, so a deleted app's data leaves every instance that held it. (Its keys stop
 * working at once anyway: they are deleted with the app, and every request looks its key up.)
 */
export async function removeDeletedApps(
  keys: Pick<KeyStore, 'existingApps'>,
  databases: { storedAppIds(): number[]; remove(appId: number): Promise<void> },
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

/** The ids of the apps that have a database file in the folder (app-<id>.duckdb). */
export function storedAppIds(dir: string): number[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const match = /^app-(\d+)\.duckdb$/.exec(name);
    return match ? [Number(match[1])] : [];
  });
}
