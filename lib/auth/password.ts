import bcrypt from 'bcryptjs';
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import os from 'node:os';
import { DEFAULT_PASSWORD_HASH_COST } from '../env';

/**
 * Password hashes: scrypt, run on libuv's thread pool (node:crypto's async scrypt), so hashing
 * never blocks the event loop. Stored as a versioned string,
 *   $scrypt$v=1$ln=15,r=8,p=1$<salt, base64>$<hash, base64>
 * so that the parameters can change later and old hashes still verify. Hashes made by the
 * earlier bcrypt scheme (`$2a$`/`$2b$`/`$2y$`) still verify; `needsRehash` tells the sign-in to
 * replace them (and scrypt hashes with other parameters) after a successful check.
 */

const BLOCK_SIZE = 8;
const PARALLELISM = 1;
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;

/**
 * At most this many hashes run at once: one core fewer than the machine has (at least one), so
 * that a burst of sign-ins never takes every core from the event loop (and libuv's pool of four
 * threads keeps room for file and DNS work). The others wait their turn, in order.
 */
const MAX_CONCURRENT_HASHES = Math.max(1, os.availableParallelism() - 1);
let running = 0;
const waiting: (() => void)[] = [];

async function withHashSlot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT_HASHES) await new Promise<void>((resolve) => waiting.push(resolve));
  else running += 1;
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running -= 1;
  }
}

function scryptAsync(password: string, salt: Buffer, logN: number): Promise<Buffer> {
  const N = 2 ** logN;
  const options: ScryptOptions = { N, r: BLOCK_SIZE, p: PARALLELISM, maxmem: 256 * N * BLOCK_SIZE };
  return withHashSlot(
    () =>
      new Promise((resolve, reject) => {
        scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key)));
      }),
  );
}

export async function hashPassword(password: string, cost: number = DEFAULT_PASSWORD_HASH_COST): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const key = await scryptAsync(password, salt, cost);
  return `$scrypt$v=1$ln=${cost},r=${BLOCK_SIZE},p=${PARALLELISM}$${salt.toString('base64')}$${key.toString('base64')}`;
}

const SCRYPT_HASH = /^\$scrypt\$v=1\$ln=(\d{1,2}),r=(\d+),p=(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/;

type ParsedHash = { kind: 'scrypt'; logN: number; r: number; p: number; salt: Buffer; key: Buffer } | { kind: 'bcrypt'; hash: string };

function parseHash(hash: string): ParsedHash | null {
  if (/^\$2[aby]\$\d\d\$/.test(hash)) return { kind: 'bcrypt', hash };
  const match = SCRYPT_HASH.exec(hash);
  if (!match) return null;
  const [, logN, r, p, salt, key] = match;
  return { kind: 'scrypt', logN: Number(logN), r: Number(r), p: Number(p), salt: Buffer.from(salt!, 'base64'), key: Buffer.from(key!, 'base64') };
}

// Compared against when the e-mail is unknown (or has no password), so that a miss costs about as
// long as a wrong password and does not tell whether the account exists.
const DUMMY_SALT = randomBytes(SALT_LENGTH);

export async function verifyPassword(password: string, hash: string | null | undefined, cost: number = DEFAULT_PASSWORD_HASH_COST): Promise<boolean> {
  const parsed = hash ? parseHash(hash) : null;
  if (!parsed) {
    await scryptAsync(password, DUMMY_SALT, cost);
    return false;
  }
  // Only the hashes written before scrypt: the account moves to scrypt at this sign-in.
  if (parsed.kind === 'bcrypt') return bcrypt.compare(password, parsed.hash);
  if (parsed.r !== BLOCK_SIZE || parsed.p !== PARALLELISM || parsed.logN < 1 || parsed.logN > 20) return false;
  const key = await scryptAsync(password, parsed.salt, parsed.logN);
  return key.length === parsed.key.length && timingSafeEqual(key, parsed.key);
}

/** Whether a hash that just verified should be replaced by one with the current scheme and cost. */
export function needsRehash(hash: string, cost: number = DEFAULT_PASSWORD_HASH_COST): boolean {
  const parsed = parseHash(hash);
  return !parsed || parsed.kind !== 'scrypt' || parsed.logN !== cost;
}
