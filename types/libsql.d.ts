// The parts of libsql's better-sqlite3-compatible API that the runtime uses (the package ships no types).
declare module 'libsql' {
  type Statement = {
    get(...params: unknown[]): unknown;
    all(...params: unknown[]): unknown[];
    run(...params: unknown[]): { changes: number };
  };
  export default class Database {
    constructor(path: string, options?: { timeout?: number; readonly?: boolean });
    prepare(sql: string): Statement;
    exec(sql: string): void;
    close(): void;
  }
}
