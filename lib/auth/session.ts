import 'server-only';
import { getServerSession } from 'next-auth';
import { connection } from 'next/server';
import { db } from '../db';
import { authOptions } from './options';

export type CurrentUser = { id: string; name: string; email: string };

/** The signed-in user, read from the session and checked against the database, or null. */
export async function getCurrentUser(): Promise<CurrentUser | null> {
  // Per request, never at build time: the session is in the request's cookies.
  await connection();
  const session = await getServerSession(authOptions());
  const id = session?.user?.id;
  if (!id) return null;
  return db.user.findUnique({ where: { id }, select: { id: true, name: true, email: true } });
}
