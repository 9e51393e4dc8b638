import 'server-only';
import { cache } from 'react';
import { notFound, redirect } from 'next/navigation';
import { getCurrentUser } from '../auth/session';
import { getAppForUser } from './apps';
import { getOrgForUser } from './orgs';

/** The signed-in user, once per request; sends the signed-out to /login. */
export const requireUser = cache(async () => {
  const user = await getCurrentUser();
  if (!user) redirect('/login');
  return user;
});

/** The organization in the URL, for a member of it; anyone else gets a 404. */
export const requireOrg = cache(async (orgName: string) => {
  const user = await requireUser();
  const org = await getOrgForUser(user.id, orgName);
  if (!org) notFound();
  return { user, org };
});

/** The app in the URL, for a member of its organization; anyone else gets a 404. */
export const requireApp = cache(async (orgName: string, appName: string) => {
  const user = await requireUser();
  const app = await getAppForUser(user.id, orgName, appName);
  if (!app) notFound();
  return { user, app };
});
