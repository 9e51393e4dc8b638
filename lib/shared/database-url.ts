import path from 'node:path';

/** The embedded default: a SQLite file under data/, created on first start. */
export const DEFAULT_DATABASE_FILE = path.join('data', 'portal.db');

export type DatabaseProvider = 'sqlite' | 'postgresql';

export function databaseProvider(url: string | undefined): DatabaseProvider {
  if (!url || url.startsWith('file:')) return 'sqlite';
  if (/^postgres(ql)?:\/\//.test(url)) return 'postgresql';
  throw new Error('DATABASE_URL must be a file: URL (SQLite) or a postgresql:// URL.');
}

/** DATABASE_URL, or the embedded default, with a relative SQLite path made absolute. */
export function resolveDatabaseUrl(url: string | undefined, cwd = process.cwd()): string {
  if (!url) return `file:${path.resolve(cwd, DEFAULT_DATABASE_FILE)}`;
  if (url.startsWith('file:')) {
    const file = url.slice('file:'.length);
    return `file:${path.resolve(cwd, file)}`;
  }
  return url;
}

/** The file path of a SQLite URL. */
export function sqliteFile(url: string): string {
  return url.slice('file:'.length);
}
