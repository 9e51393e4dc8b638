import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { databaseProvider, resolveDatabaseUrl } from './lib/shared/database-url';

// One folder per database provider: its datasource, generator and migrations. The models are
// shared (prisma/models.prisma). The provider follows DATABASE_URL; unset means embedded SQLite.
const provider = databaseProvider(process.env.DATABASE_URL);

export default defineConfig({
  schema: path.join('prisma', provider),
  migrations: { path: path.join('prisma', provider, 'migrations') },
  datasource: { url: resolveDatabaseUrl(process.env.DATABASE_URL) },
});
