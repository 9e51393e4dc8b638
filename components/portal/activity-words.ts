import type { ActivityEntry } from '@/lib/data/activity';

/** A token revoked, in words: by its user, or by `npm run rotate-secrets` (a new digest secret cannot carry tokens over). */
export function tokenRevokedWords(entry: ActivityEntry): string {
  if (entry.details.reason === 'rotate-secrets') {
    return `Revoked personal access token ${entry.token ?? ''} of ${entry.subject ?? 'a former user'}: the secrets were rotated (npm run rotate-secrets)`;
  }
  return `Revoked personal access token ${entry.token ?? ''}`.trim();
}
