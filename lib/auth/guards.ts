import 'server-only';
import { cache } from 'react';
import { headers } from 'next/headers';
import { notFound, redirect } from 'next/navigation';
import { loginUrlFor, REQUESTED_PATH_HEADER } from '../http/requested-path';
import { findAppAccess, findOrgAccess } from './access';
import { getCurrentUser } from './session';

// Request guards for server components: they redirect or answer 404, so they live with auth,
// not with the data queries (which never redirect).

/** The signed-in user, once per request; sends the signed-out to /login. */
export const requireUser = cache(async () => {
  const user = await getCurrentUser();
  if (!user) redirect(loginUrlFor((await headers()).get(REQUESTED_PATH_HEADER)));
  return user;
});

/** The organization in the URL, for a member of it; anyone else gets a 404. */
export const requireOrg = cache(async (orgName: string) => {
  const user = await requireUser();
  const access = await findOrgAccess(user.id, { name: orgName });
  if (!access) notFound();
  return { user, access };
});

/** The app in the URL, for a member of its organization; anyone else gets a 404. */
export const requireApp = cache(async (orgName: string, appName: string) => {
  const user = await requireUser();
  const access = await findAppAccess(user.id, { orgName, appName });
  if (!access) notFound();
  return { user, access };
});
