import { PrismaLibSql } from '@prisma/adapter-libsql';
import { PrismaPg } from '@prisma/adapter-pg';
import { databaseProvider } from './shared/database-url';
import { Prisma, PrismaClient } from './generated/prisma/client';

/**
 * A Prisma client on a driver adapter for the database the URL names: libSQL for the embedded
 * SQLite file, node-postgres for PostgreSQL. The generated client must be for the same provider
 * (npm run generate follows DATABASE_URL).
 */
export function createPrismaClient(databaseUrl: string) {
  const adapter =
    databaseProvider(databaseUrl) === 'postgresql'
      ? new PrismaPg({ connectionString: databaseUrl, max: 10 })
      : // Busy timeout: several processes (portal, runtime, migrations) may share the SQLite file.
        new PrismaLibSql({ url: databaseUrl, timeout: 5000 });
  return new PrismaClient({
    adapter,
    // Secret columns are left out unless a query asks for them on purpose.
    omit: {
      user: { passwordHash: true },
      apiKey: { ciphertext: true, digest: true },
      twoFactor: { ciphertext: true },
      webhookEndpoint: { secretCiphertext: true },
    },
  });
}

export type Db = ReturnType<typeof createPrismaClient>;
/** A client or an interactive transaction's client. */
export type DbTx = Parameters<Parameters<Db['$transaction']>[0]>[0];

/** A write refused by a unique index (Prisma's P2002): a name, e-mail or membership that is taken. */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}
