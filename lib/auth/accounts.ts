import 'server-only';
import { randomBytes } from 'node:crypto';
import { recordAudit } from '../audit';
import { isUniqueViolation, type Db, type DbTx } from '../prisma';
import { RESERVED_ORG_NAMES } from '../names';

/** A personal organization's name from the user's name or e-mail; never one of the portal's own top-level routes. */
export function orgSlugFrom(name: string, email: string): string {
  const fromName = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 32);
  const fromEmail = email
    .split('@')[0]!
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 32);
  const base = fromName.length >= 3 ? fromName : fromEmail.length >= 3 ? fromEmail : 'org';
  return RESERVED_ORG_NAMES.has(base) ? `${base}-org` : base;
}

/** The first free name of base, base-2, base-3…; `random` asks for a random suffix instead (after lost races). */
async function freeOrgName(tx: DbTx, base: string, random = false): Promise<string> {
  for (let n = 1; n < 50; n++) {
    const candidate = random ? `${base}-${randomBytes(3).toString('hex')}` : n === 1 ? base : `${base}-${n}`;
    if (!(await tx.organization.findUnique({ where: { name: candidate }, select: { id: true } }))) return candidate;
  }
  return `${base}-${Date.now().toString(36)}`;
}

export class EmailTakenError extends Error {}

/** Another sign-up took the organization name this one picked, between its check and its insert. */
class OrgNameTaken extends Error {
  override name = 'OrgNameTaken';
}

/** Tries with the next free number, then with random suffixes, which many same-name sign-ups at once do not share. */
const ORG_NAME_ATTEMPTS = 8;
const NUMBERED_ATTEMPTS = 2;

/** A new account: who, and where the sign-up came from (for the audit event). */
type NewAccount = { name: string; email: string; passwordHash?: string; githubId?: string; ip?: string | null; userAgent?: string | null };

/**
 * Creates a user with a personal organization they own (as Spice.ai Cloud does), and its
 * `org.created` audit event (`personal`), in one transaction. Throws EmailTakenError when the
 * e-mail is already registered. The transaction writes first (the unique index finds a taken
 * e-mail): on SQLite a transaction that reads before its first write can fail at once when
 * another process writes meanwhile, instead of waiting. On PostgreSQL two sign-ups with the
 * same name can both find a name free and race to insert it; the one that loses starts over (the
 * failed statement ends its transaction) and picks the next free name; after two lost races, a
 * name with a random suffix.
 */
export async function createUserWithOrg(db: Db, input: NewAccount): Promise<{ userId: string; orgName: string }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await createOnce(db, input, attempt > NUMBERED_ATTEMPTS);
    } catch (error) {
      if (!(error instanceof OrgNameTaken) || attempt === ORG_NAME_ATTEMPTS) throw error;
    }
  }
}

function createOnce(db: Db, input: NewAccount, randomName: boolean) {
  return db.$transaction(async (tx) => {
    let user: { id: string };
    try {
      user = await tx.user.create({
        data: { name: input.name, email: input.email, passwordHash: input.passwordHash, githubId: input.githubId },
        select: { id: true },
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new EmailTakenError();
      throw error;
    }
    const orgName = await freeOrgName(tx, orgSlugFrom(input.name, input.email), randomName);
    let org: { id: string };
    try {
      org = await tx.organization.create({
        data: { name: orgName, members: { create: { userId: user.id, role: 'owner' } } },
        select: { id: true },
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new OrgNameTaken();
      throw error;
    }
    const origin = { actorId: user.id, ip: input.ip && input.ip !== 'unknown' ? input.ip : null, userAgent: input.userAgent };
    await recordAudit(tx, { action: 'org.created', orgId: org.id, details: { personal: true }, origin });
    return { userId: user.id, orgName };
  });
}
