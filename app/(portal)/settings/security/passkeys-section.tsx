import Bowser from 'bowser';
import { headers } from 'next/headers';
import type { CurrentUser } from '@/lib/auth/session';
import { listPasskeys } from '@/lib/data/passkeys';
import { db } from '@/lib/db';
import { hasAuthenticatorApp } from '@/lib/auth/two-factor';
import { Card } from '@/components/ui/card';
import { DataTable } from '@/components/ui/data-table';
import { RelativeTime } from '@/components/ui/relative-time';
import { AddPasskeyForm } from './add-passkey-form';
import { RemovePasskeyButton } from './remove-passkey-button';

/** A name for a new passkey from the browser it is made in: "Chrome on Linux". */
function suggestedName(userAgent: string | null): string {
  if (!userAgent) return 'Passkey';
  const parsed = Bowser.parse(userAgent);
  const browser = parsed.browser.name;
  const os = parsed.os.name;
  return (browser && os ? `${browser} on ${os}` : (browser ?? os ?? 'Passkey')).slice(0, 64);
}

/** Account → Security: the user's passkeys (name, added, last used), Add passkey, Remove. */
export async function PasskeysSection({ user }: { user: CurrentUser }) {
  const [passkeys, requestHeaders, app] = await Promise.all([listPasskeys(user), headers(), hasAuthenticatorApp(db, user.id)]);
  const now = new Date();
  return (
    <Card
      id="passkeys-heading"
      title="Passkeys"
      intro="Sign in with your fingerprint, face, screen lock or a security key instead of your password. Each passkey stays on its device; the portal keeps only its public key."
      className="max-w-3xl"
    >
      {passkeys.length === 0 ? (
        <p className="text-sm text-slate-700">No passkeys yet.</p>
      ) : (
        <DataTable label="Your passkeys" headings={['Name', 'Added', 'Last used', 'Actions']}>
          {passkeys.map((passkey) => (
            <tr key={passkey.id} className="border-t border-slate-200">
              <th scope="row" className="px-3 py-2 font-medium">
                {passkey.name}
              </th>
              <td className="px-3 py-2">
                <RelativeTime date={passkey.createdAt} now={now} />
              </td>
              <td className="px-3 py-2">{passkey.lastUsedAt ? <RelativeTime date={passkey.lastUsedAt} now={now} /> : 'Never used'}</td>
              <td className="px-3 py-2">
                <RemovePasskeyButton passkeyId={passkey.id} name={passkey.name} last={passkeys.length === 1} lastFactor={passkeys.length === 1 && !app} />
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <AddPasskeyForm suggestedName={suggestedName(requestHeaders.get('user-agent'))} />
    </Card>
  );
}
