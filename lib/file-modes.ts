import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Files under data/ are the owner's alone: the portal database, its secrets, the runtime's app
 * databases. `npm start` sets the process umask to 077, so that everything the servers create
 * (database files, WAL and journal files, DuckDB files) is 0600 and every folder 0700; these
 * bring what already exists (made by an earlier version, or by hand) to the same modes.
 */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/** A folder we may close to others: never the project folder, one of its parents, or the home folder. */
function isOwnFolder(dir: string): boolean {
  const resolved = path.resolve(dir);
  const cwd = process.cwd();
  return resolved !== os.homedir() && resolved !== cwd && !cwd.startsWith(`${resolved}${path.sep}`) && resolved !== path.parse(resolved).root;
}

/** A folder of our own and everything in it: folders 0700, files 0600. */
export function restrictTree(dir: string): void {
  if (!fs.existsSync(dir) || !isOwnFolder(dir)) return;
  fs.chmodSync(dir, PRIVATE_DIR_MODE);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const child = path.join(dir, entry.name);
    if (entry.isDirectory()) restrictTree(child);
    else if (entry.isFile()) fs.chmodSync(child, PRIVATE_FILE_MODE);
  }
}

/** The SQLite database (and its WAL, shared-memory and journal files), the secrets file beside it, and its folder. */
export function restrictDatabaseFiles(databaseFile: string, secretsFile: string): void {
  for (const file of [databaseFile, `${databaseFile}-wal`, `${databaseFile}-shm`, `${databaseFile}-journal`, secretsFile]) {
    if (fs.existsSync(/*turbopackIgnore: true*/ file)) fs.chmodSync(file, PRIVATE_FILE_MODE);
  }
  const dir = path.dirname(databaseFile);
  if (fs.existsSync(dir) && isOwnFolder(dir)) fs.chmodSync(dir, PRIVATE_DIR_MODE);
}

/** Creates a folder (0700, its missing parents too) if it does not exist. */
export function makePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}
