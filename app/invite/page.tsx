import type { Metadata } from 'next';
import Link from 'next/link';
import { cookies } from 'next/headers';
import { buttonClass } from '@/components/ui/button';
import { RelativeTime } from '@/components/ui/relative-time';
import { INVITATION_MESSAGES } from '@/lib/actions/member-rules';
import { INVITATION_COOKIE } from '@/lib/auth/invitation-cookie';
import { can, parseRole, ROLE_ABILITIES, type Role } from '@/lib/auth/permissions';
import { getCurrentUser } from '@/lib/auth/session';
import { findInvitationByToken, isInvitationFor, listInvitationsFor } from '@/lib/data/invitations';
import { InvitationAnswer, SignOutToAnswer } from './invitation-answer';

export const metadata: Metadata = { title: 'Invitations' };

/** What the role may do, for the invitee to know what they accept. */
function RoleAbilities({ role }: { role: Role }) {
  const abilities = ROLE_ABILITIES.filter((ability) => can(role, ability.permission));
  return (
    <p className="text-sm text-slate-700">
      As {role === 'admin' || role === 'owner' ? 'an' : 'a'} {role} you may {abilities.map((ability) => ability.may).join('; ')}.
    </p>
  );
}

/**
 * The invitation page: the invitation of the link opened last (its token is in a cookie that
 * /invite/<token> set, never in this page's address), and, for a signed-in user, the invitations
 * made for their account. A signed-out visitor signs in or creates an account and comes back here.
 */
export default async function InvitePage() {
  const user = await getCurrentUser();
  const token = (await cookies()).get(INVITATION_COOKIE)?.value;
  const linked = token ? await findInvitationByToken(token) : null;
  const own = user ? (await listInvitationsFor(user)).filter((invitation) => invitation.id !== linked?.id) : [];
  const now = new Date();
  const mine = linked !== null && user !== null && isInvitationFor(linked, user);

  return (
    <div className="flex min-h-screen flex-col items-center px-4 py-12">
      <header className="mb-6">
        <Link href="/" className="text-lg font-semibold text-slate-900">
          Spice Portal
        </Link>
      </header>
      <main className="w-full max-w-lg space-y-6">
        <h1 className="text-2xl font-semibold">Invitations</h1>
        {token ? (
          <section aria-labelledby="linked-heading" className="space-y-3 rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
            {!linked ? (
              <>
                <h2 id="linked-heading" className="text-lg font-semibold">
                  Invitation link
                </h2>
                <p className="text-sm text-slate-700">{INVITATION_MESSAGES.invalid}</p>
              </>
            ) : (
              <>
                <h2 id="linked-heading" className="text-lg font-semibold">
                  Join {linked.org.name}
                </h2>
                <p className="text-sm text-slate-700">
                  {linked.invitedBy?.name ?? 'A member'} invited you to join <strong>{linked.org.name}</strong> as <strong>{linked.role}</strong>. The
                  invitation expires <RelativeTime date={linked.expiresAt} now={now} />.
                </p>
                <RoleAbilities role={parseRole(linked.role)} />
                {!user ? (
                  <>
                    <p className="text-sm text-slate-700">
                      Sign in or create an account with the email address this invitation was sent to, then accept it here.
                    </p>
                    <div className="flex flex-wrap gap-2">
                      <Link href="/login?callbackUrl=%2Finvite" className={buttonClass('primary')}>
                        Sign in
                      </Link>
                      <Link href="/signup?callbackUrl=%2Finvite" className={buttonClass('secondary')}>
                        Create account
                      </Link>
                    </div>
                  </>
                ) : mine ? (
                  <InvitationAnswer answer={{ token: token }} org={linked.org.name} />
                ) : (
                  <>
                    <p role="alert" className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900">
                      {INVITATION_MESSAGES.wrongAccount(user.email)}
                    </p>
                    <SignOutToAnswer />
                  </>
                )}
              </>
            )}
          </section>
        ) : null}
        {user ? (
          <section aria-labelledby="own-heading" className="space-y-3">
            <h2 id="own-heading" className="text-lg font-semibold">
              {token ? 'Other invitations for you' : 'Your invitations'}
            </h2>
            {own.length === 0 ? (
              <p className="text-sm text-slate-700">No pending invitations for {user.email}.</p>
            ) : (
              <ul className="space-y-3">
                {own.map((invitation) => (
                  <li key={invitation.id} className="space-y-3 rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
                    <p className="text-sm">
                      {invitation.invitedBy?.name ?? 'A member'} invited you to join <strong>{invitation.org.name}</strong> as{' '}
                      <strong>{invitation.role}</strong>. Expires <RelativeTime date={invitation.expiresAt} now={now} />.
                    </p>
                    <InvitationAnswer answer={{ invitationId: invitation.id }} org={invitation.org.name} />
                  </li>
                ))}
              </ul>
            )}
            <Link href="/" className="text-sm font-medium text-indigo-700 underline">
              Back to the portal
            </Link>
          </section>
        ) : !token ? (
          <p className="text-sm text-slate-700">
            Open the invitation link you were sent, or{' '}
            <Link href="/login?callbackUrl=%2Finvite" className="font-medium text-indigo-700 underline">
              sign in
            </Link>{' '}
            to see the invitations for your account.
          </p>
        ) : null}
      </main>
    </div>
  );
}
