import type { Metadata } from 'next';
import { redirectToSignIn } from '@/lib/auth/guards';
import { getCurrentSession } from '@/lib/auth/session';
import { listUserSessions, sessionHandle } from '@/lib/auth/sessions';
import { describeUserAgent } from '@/lib/auth/user-agent';
import { listAccountActivity, type ActivityEntry } from '@/lib/data/activity';
import { db } from '@/lib/db';
import { DataTable } from '@/components/ui/data-table';
import { RelativeTime } from '@/components/ui/relative-time';
import { tokenRevokedWords } from '@/components/portal/activity-words';
import { SignOutOthersButton, SignOutSessionButton } from './session-buttons';

export const metadata: Metadata = { title: 'Sessions' };

const sessionsCount = (n: number | undefined) => `${n ?? 0} session${n === 1 ? '' : 's'}`;

/** An account event in words (the events of no organization: lib/data/activity.ts listAccountActivity). */
function describe(entry: ActivityEntry): string {
  switch (entry.action) {
    case 'session.signed_out':
      return `Signed out a session${entry.details.session ? ` (${entry.details.session})` : ''}`;
    case 'session.signed_out_others':
      return `Signed out everywhere else (${sessionsCount(entry.details.sessions)})`;
    case 'session.signed_out_everywhere':
      return `Signed out everywhere (${sessionsCount(entry.details.sessions)})`;
    case 'password.changed':
      return `Changed the password and signed out the other sessions (${sessionsCount(entry.details.sessions)})`;
    case 'passkey.added':
      return `Added passkey ${entry.details.name ?? ''}`.trim();
    case 'passkey.removed':
      return `Removed passkey ${entry.details.name ?? ''}`.trim();
    case 'session.reauthenticated':
      return `Confirmed it was them${entry.details.method ? ` (${entry.details.method})` : ''} before a sensitive change`;
    case 'token.created':
      return `Created personal access token ${entry.token ?? ''} for all organizations`;
    case 'token.revoked':
      return tokenRevokedWords(entry);
    case 'two_factor.enabled':
      return 'Turned on two-factor authentication with an authenticator app and signed out the other sessions';
    case 'two_factor.disabled':
      return 'Turned off two-factor authentication and signed out the other sessions';
    case 'two_factor.recovery_codes_regenerated':
      return 'Generated new recovery codes (the old ones stopped working)';
    case 'two_factor.recovery_code_used':
      return 'Used a recovery code';
    default:
      return entry.action;
  }
}

export default async function SessionsPage() {
  const current = await getCurrentSession();
  if (!current) return redirectToSignIn();
  const { user } = current;
  const [sessions, activity] = await Promise.all([listUserSessions(db, user.id), listAccountActivity(user)]);
  const now = new Date();
  const currentHandle = sessionHandle(current.sessionId);
  const others = sessions.filter((session) => session.handle !== currentHandle).length;
  return (
    <main className="mx-auto max-w-6xl space-y-6 px-6 py-6">
      <div>
        <h1 className="text-2xl font-semibold">Sessions</h1>
        <p className="mt-1 text-sm text-slate-700">
          Every browser signed in as {user.email}. Sign out any you do not recognise, then change your password. A session lasts 7 days.
        </p>
      </div>
      <section aria-labelledby="sessions-heading" className="space-y-3">
        <div className="flex flex-wrap items-center justify-between gap-3">
          <h2 id="sessions-heading" className="text-lg font-semibold">
            Signed-in sessions
          </h2>
          {others > 0 ? <SignOutOthersButton others={others} /> : null}
        </div>
        <DataTable label="Sessions table" headings={['Browser', 'System', 'Address', 'Signed in', 'Last seen', 'Sign out']}>
          {sessions.map((session) => {
            const { browser, system } = describeUserAgent(session.userAgent);
            const isCurrent = session.handle === currentHandle;
            return (
              <tr key={session.handle} className="border-t border-slate-200">
                <th scope="row" className="px-3 py-2 font-medium">
                  {browser}
                  {isCurrent ? <span className="ml-2 rounded-full bg-emerald-50 px-2 py-0.5 text-xs font-medium text-emerald-800">This session</span> : null}
                </th>
                <td className="px-3 py-2">{system}</td>
                <td className="px-3 py-2 font-mono text-xs">{session.address ?? 'Unknown'}</td>
                <td className="whitespace-nowrap px-3 py-2">
                  <RelativeTime date={session.createdAt} now={now} />
                </td>
                <td className="whitespace-nowrap px-3 py-2">{isCurrent ? 'Now' : <RelativeTime date={session.lastSeenAt ?? session.createdAt} now={now} />}</td>
                <td className="px-3 py-2">
                  {isCurrent ? null : (
                    <SignOutSessionButton session={session.handle} description={`${browser} on ${system}${session.address ? `, ${session.address}` : ''}`} />
                  )}
                </td>
              </tr>
            );
          })}
        </DataTable>
      </section>
      <section aria-labelledby="account-activity-heading" className="space-y-3">
        <h2 id="account-activity-heading" className="text-lg font-semibold">
          Account activity
        </h2>
        <p className="text-sm text-slate-700">
          Changes to your account that belong to no organization, newest first. Each organization&apos;s Activity page has the rest.
        </p>
        {activity.length === 0 ? (
          <p className="text-sm text-slate-700">No account activity yet.</p>
        ) : (
          <DataTable label="Account activity table" headings={['When', 'Who', 'What', 'Address']}>
            {activity.map((entry) => (
              <tr key={entry.id} className="border-t border-slate-200 align-top">
                <td className="whitespace-nowrap px-3 py-2">
                  <RelativeTime date={entry.createdAt} now={now} />
                </td>
                <td className="px-3 py-2">{entry.actor ?? (entry.details.reason ? 'Spice Portal (automatic)' : 'A former user')}</td>
                <td className="px-3 py-2">{describe(entry)}</td>
                <td className="px-3 py-2 font-mono text-xs">{entry.ip ?? '—'}</td>
              </tr>
            ))}
          </DataTable>
        )}
      </section>
    </main>
  );
}
