import 'server-only';
import type { Metadata } from 'next';
import { cache } from 'react';
import { headers } from 'next/headers';
import { notFound, redirect } from 'next/navigation';
import { loginUrlFor, REQUESTED_PATH_HEADER } from '../shared/http/requested-path';
import { findAppAccess, findOrgAccess, type AppAccess, type OrgAccess } from './access';
import { getCurrentUser, signedOutReason } from './session';

// Request guards for server components: they redirect or answer 404, so they live with auth,
// not with the data queries (which never redirect).

/**
 * Sends a signed-out visitor to sign in, then back to the page asked for (same site only); told
 * why when their session was ended elsewhere.
 */
export async function redirectToSignIn(): Promise<never> {
  const [requestHeaders, reason] = await Promise.all([headers(), signedOutReason()]);
  redirect(loginUrlFor(requestHeaders.get(REQUESTED_PATH_HEADER), reason));
}

/** The signed-in user, once per request; sends the signed-out to /login. */
export const requireUser = cache(async () => {
  const user = await getCurrentUser();
  if (!user) return redirectToSignIn();
  return user;
});

// Once per request: the layout, the page and its metadata ask the same question.
const orgAccessOf = cache((userId: string, orgName: string) => findOrgAccess(userId, { name: orgName }));
const appAccessOf = cache((userId: string, orgName: string, appName: string) => findAppAccess(userId, { orgName, appName }));

/** The organization in the URL (in any case), for a member of it; anyone else gets a 404. */
export const requireOrg = cache(async (orgName: string) => {
  const user = await requireUser();
  const access = await orgAccessOf(user.id, orgName);
  if (!access) notFound();
  if (access.missingTwoFactor) redirect(twoFactorRequiredUrl(access.org.name));
  return { user, access };
});

/** The app in the URL (in any case), for a member of its organization; anyone else gets a 404. */
export const requireApp = cache(async (orgName: string, appName: string) => {
  const user = await requireUser();
  const access = await appAccessOf(user.id, orgName, appName);
  if (!access) notFound();
  if (access.missingTwoFactor) redirect(twoFactorRequiredUrl(access.org.name));
  return { user, access };
});

/** Where a member without two-factor authentication goes from an organization that requires it: the Security page, which says why. */
export function twoFactorRequiredUrl(orgName: string): string {
  return `/settings/security?${new URLSearchParams({ required: orgName })}`;
}

export const NOT_FOUND_TITLE = 'Page not found';

/** The title of a page in an organization, only when the page exists for this user: a 404 is titled as one. */
export async function orgPageMetadata(orgName: string, title: string | ((access: OrgAccess) => string)): Promise<Metadata> {
  const user = await getCurrentUser();
  const access = user ? await orgAccessOf(user.id, orgName) : null;
  if (!access) return { title: NOT_FOUND_TITLE };
  return { title: typeof title === 'string' ? title : title(access) };
}

/** The title of a page of an app, only when the app exists for this user: a 404 is titled as one. */
export async function appPageMetadata(orgName: string, appName: string, title: string | ((access: AppAccess) => string)): Promise<Metadata> {
  const user = await getCurrentUser();
  const access = user ? await appAccessOf(user.id, orgName, appName) : null;
  if (!access) return { title: NOT_FOUND_TITLE };
  return { title: typeof title === 'string' ? title : title(access) };
}
