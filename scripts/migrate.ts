// npm run migrate: applies the committed migrations to DATABASE_URL (or the embedded default),
// creates the embedded secrets file when needed, and checks the secrets against stored keys.
import { prepareServer } from '../lib/startup';

try {
  await prepareServer();
  console.log('The database is ready.');
} catch (error) {
  console.error(`\nCannot prepare the database: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
