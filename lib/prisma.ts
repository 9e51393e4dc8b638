import { PrismaLibSql } from '@prisma/adapter-libsql';
import { PrismaClient } from './generated/prisma/client';

/** A Prisma client on a driver adapter, for the database the URL names. */
export function createPrismaClient(databaseUrl: string) {
  // Busy timeout: several processes (portal, runtime, migrations) may share the SQLite file.
  const adapter = new PrismaLibSql({ url: databaseUrl, timeout: 5000 });
  return new PrismaClient({
    adapter,
    // Secret columns are left out unless a query asks for them on purpose.
    omit: { user: { passwordHash: true }, apiKey: { ciphertext: true, digest: true } },
  });
}

export type Db = ReturnType<typeof createPrismaClient>;
/** A client or an interactive transaction's client. */
export type DbTx = Parameters<Parameters<Db['$transaction']>[0]>[0];
