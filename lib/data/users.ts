import 'server-only';
import type { Db, DbTx } from '../prisma';
import { Prisma } from '../generated/prisma/client';
import { RESERVED_ORG_NAMES } from '../names';

/** A personal organization's name from the user's name or e-mail; never one of the portal's own top-level routes. */
export function orgSlugFrom(name: string, email: string): string {
  const fromName = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 32);
  const fromEmail = email.split('@')[0]!.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 32);
  const base = fromName.length >= 3 ? fromName : fromEmail.length >= 3 ? fromEmail : 'org';
  return RESERVED_ORG_NAMES.has(base) ? `${base}-org` : base;
}

async function freeOrgName(tx: DbTx, base: string): Promise<string> {
  for (let n = 1; n < 50; n++) {
    const candidate = n === 1 ? base : `${base}-${n}`;
    if (!(await tx.organization.findUnique({ where: { name: candidate }, select: { id: true } }))) return candidate;
  }
  return `${base}-${Date.now().toString(36)}`;
}

export class EmailTakenError extends Error {}

/**
 * Creates a user with a personal organization they own (as Spice.ai Cloud does), in one
 * transaction. Throws EmailTakenError when the e-mail is already registered. The transaction
 * writes first (the unique index finds a taken e-mail): on SQLite a transaction that reads before
 * its first write can fail at once when another process writes meanwhile, instead of waiting.
 */
export async function createUserWithOrg(
  db: Db,
  input: { name: string; email: string; passwordHash?: string; githubId?: string },
): Promise<{ userId: string; orgName: string }> {
  return db.$transaction(async (tx) => {
    let user: { id: string };
    try {
      user = await tx.user.create({
        data: { name: input.name, email: input.email, passwordHash: input.passwordHash, githubId: input.githubId },
        select: { id: true },
      });
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') throw new EmailTakenError();
      throw error;
    }
    const orgName = await freeOrgName(tx, orgSlugFrom(input.name, input.email));
    await tx.organization.create({
      data: { name: orgName, members: { create: { userId: user.id, role: 'owner' } } },
    });
    return { userId: user.id, orgName };
  });
}
