// npm run migrate: applies the committed migrations to DATABASE_URL (or the embedded default).
import { resolveDatabaseUrl } from '../lib/database-url';
import { migrate } from '../lib/migrate';

const result = await migrate(resolveDatabaseUrl(process.env.DATABASE_URL));
console.log(
  result.applied.length ? `Applied ${result.applied.join(', ')}.` : 'The database is up to date.',
);
