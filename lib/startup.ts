import { databaseProvider, resolveDatabaseUrl, sqliteFile } from './shared/database-url';
import { migrate } from './migrate';
import { createPrismaClient, type Db } from './prisma';
import type { KeySecrets } from './shared/config';
import { assertSecretsOpen } from './shared/keys/secrets-check';
import { generateSecrets, readSecretsFile, secretsFileFor, SECRET_NAMES, writeSecretsFile } from './shared/secrets';
import { serverEnv } from './env';
import { runtimeEndpoints } from './shared/runtime-endpoints';
import { restrictDatabaseFiles, restrictTree } from './file-modes';
import { emailSender } from './outbox/email';
import { webhookSender } from './webhooks/sender';
import { startOutboxWorkers, type OutboxSenders, type OutboxWorker } from './outbox/worker';

/**
 * What `npm start` does before serving: apply migrations, make sure the secrets exist (on the
 * embedded database, generate them once into the secrets file), and refuse to go on when the
 * secrets do not match the keys already stored.
 */
export async function prepareServer(log: (message: string) => void = console.log): Promise<void> {
  const databaseUrl = resolveDatabaseUrl(process.env.DATABASE_URL);
  const result = await migrate(databaseUrl);
  if (result.applied.length) log(`Applied migrations: ${result.applied.join(', ')}`);

  const missing = SECRET_NAMES.filter((name) => !process.env[name]);
  if (missing.length && databaseProvider(databaseUrl) === 'sqlite') {
    const file = secretsFileFor(sqliteFile(databaseUrl));
    if (!readSecretsFile(file)) {
      const probe = createPrismaClient(databaseUrl);
      const keys = await probe.apiKey.count().finally(() => probe.$disconnect());
      if (keys > 0) {
        throw new Error(
          `The database holds API keys but ${file} is missing and ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not set. ` +
            'Restore the secrets the keys were made with; a new secret would make every stored key unreadable.',
        );
      }
      writeSecretsFile(file, generateSecrets());
      log(`Generated secrets in ${file} (mode 0600). Keep this file: the stored keys need it.`);
    }
  }
  await checkSecrets();
  restrictDataFiles(databaseUrl);
}

/**
 * Files under data/ are 0600 and folders 0700: the embedded database's folder (database,
 * secrets) and the runtime's data folder, including what an earlier version left readable.
 */
export function restrictDataFiles(databaseUrl: string, env: Record<string, string | undefined> = process.env): void {
  if (databaseProvider(databaseUrl) === 'sqlite') {
    const file = sqliteFile(databaseUrl);
    restrictDatabaseFiles(file, secretsFileFor(file));
  }
  restrictTree(runtimeEndpoints(env).dataDir);
}

/** Parses the configuration and checks the secrets against the stored keys. Throws a clear error. */
export async function checkSecrets(): Promise<void> {
  const env = serverEnv();
  // The runtime's endpoints the portal shows (the Connect panel): a wrong value stops the start here.
  runtimeEndpoints();
  const client = createPrismaClient(env.databaseUrl);
  try {
    await assertSecretsMatchKeys(client, env.keySecrets);
  } finally {
    await client.$disconnect();
  }
}

/** For the Next.js server's start-up hook: a bad configuration stops the process with a clear message. */
export async function checkSecretsOrExit(): Promise<void> {
  try {
    await checkSecrets();
  } catch (error) {
    console.error(`\nCannot start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}

/**
 * Refuses to run with secrets that do not match the stored keys (a missing, wrong or rotated
 * secret). Checks one key: it must decrypt, and its digest must match. Never re-keys.
 */
export async function assertSecretsMatchKeys(db: Db, secrets: KeySecrets): Promise<void> {
  assertSecretsOpen(await db.apiKey.findFirst({ select: { id: true, ciphertext: true, digest: true } }), secrets);
}

/** The outbox's senders this configuration has: webhooks always, email when SMTP_URL is set. */
export function outboxSenders(db: Db): OutboxSenders {
  const { mail, webhooksAllowPrivate, keySecrets } = serverEnv();
  return {
    webhook: webhookSender(db, { allowPrivate: webhooksAllowPrivate, encryptionKey: keySecrets.encryptionKey }),
    ...(mail ? { email: emailSender(mail.smtpUrl, mail.from) } : {}),
  };
}

/**
 * For the Next.js server's start-up hook: starts the outbox workers of this process (on their own
 * database client): webhook deliveries, and emails when SMTP_URL is set. One worker per channel,
 * so that slow receivers (a webhook may take its 10 s timeout) never hold back the emails, and the
 * other way round. Every portal instance runs them.
 */
export function startOutbox(log: (message: string) => void = console.log): OutboxWorker | null {
  // Once per process, should the hook run again (the development server).
  const holder = globalThis as unknown as { outboxWorker?: OutboxWorker };
  if (holder.outboxWorker) return holder.outboxWorker;
  const env = serverEnv();
  const client = createPrismaClient(env.databaseUrl);
  const senders = outboxSenders(client);
  const workers = startOutboxWorkers(client, env.provider, senders);
  log(`Outbox workers ${workers.map((worker) => worker.id).join(', ')} sending: ${Object.keys(senders).join(', ')} (one channel each)`);
  const all: OutboxWorker = {
    id: workers.map((worker) => worker.id).join(','),
    stop: async () => {
      await Promise.all(workers.map((worker) => worker.stop()));
    },
  };
  holder.outboxWorker = all;
  return all;
}
