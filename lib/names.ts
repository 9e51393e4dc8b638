import { z } from 'zod';

/**
 * The rules for app and organization names, which are also their URL segments. Pure module: the
 * actions, the pages and the tests read the same rules. Names are stored in lowercase, so a
 * unique index on the stored name makes them unique regardless of case, and URLs are looked up
 * lowercased (lib/auth/access.ts).
 */
export const NAME_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;
export const NAME_MIN = 4;
export const NAME_MAX = 63;

/** Route segments under /{org}/ that an app name would shadow. */
export const RESERVED_APP_NAMES: ReadonlySet<string> = new Set(['members', 'settings', 'activity']);

/** Top-level routes that an organization name would shadow. */
export const RESERVED_ORG_NAMES: ReadonlySet<string> = new Set([
  'login',
  'signup',
  'invite',
  'logout',
  'api',
  'v1',
  'settings',
  'account',
  'new',
  'admin',
  'static',
  'favicon.ico',
  'icon.svg',
]);

export const NAME_RULE = `${NAME_MIN} to ${NAME_MAX} characters: lowercase letters, digits and single hyphens (not at the start or end).`;

/** The canonical form of a name from a URL or a form: names are stored lowercase. */
export function canonicalName(name: string): string {
  return name.trim().toLowerCase();
}

function nameSchema(kind: 'App' | 'Organization', reserved: ReadonlySet<string>) {
  const length = `${kind} name must be ${NAME_MIN} to ${NAME_MAX} characters.`;
  return z
    .string({ error: (issue) => (issue.input === undefined ? `${kind} name is required.` : `${kind} name must be a string.`) })
    .transform(canonicalName)
    .pipe(
      z
        .string()
        .min(NAME_MIN, length)
        .max(NAME_MAX, length)
        .regex(NAME_PATTERN, `${kind} name may contain only letters, digits and single hyphens, not at the start or end.`)
        .refine((name) => !reserved.has(name), 'This name is reserved. Choose another.'),
    );
}

/** An app name from a form; typed capitals are lowercased (the name is the URL). */
export const appNameSchema = nameSchema('App', RESERVED_APP_NAMES);
export const orgNameSchema = nameSchema('Organization', RESERVED_ORG_NAMES);

export const appDescriptionSchema = z.string().trim().max(500, 'Description is at most 500 characters.');

export const APP_NAME_TAKEN = 'An app with this name already exists in this organization.';
export const ORG_NAME_TAKEN = 'An organization with this name already exists. Choose another.';

/** The answer when an organization has as many apps as it may (MAX_APPS_PER_ORG). */
export const appLimitReached = (max: number) =>
  `This organization has ${max} apps, the most it may have (MAX_APPS_PER_ORG). Delete an app you no longer use to create another.`;
