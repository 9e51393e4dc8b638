import 'server-only';
import { resolveDatabaseUrl } from './shared/database-url';
import { createPrismaClient, type Db } from './prisma';

const globalForPrisma = globalThis as unknown as { prisma?: Db };

/** The one Prisma client of the server process. It connects on first use. */
export const db: Db = globalForPrisma.prisma ?? createPrismaClient(resolveDatabaseUrl(process.env.DATABASE_URL));

if (process.env.NODE_ENV !== 'production') globalForPrisma.prisma = db;
