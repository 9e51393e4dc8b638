import type { Metadata } from 'next';
import Link from 'next/link';
import QRCode from 'qrcode';
import { Card } from '@/components/ui/card';
import { db } from '@/lib/db';
import { findOrgAccess } from '@/lib/auth/access';
import { requireUser } from '@/lib/auth/guards';
import { NEEDS_PASSWORD, RECOVERY_CODE_COUNT, secondFactors, twoFactorState } from '@/lib/auth/two-factor';
import { CancelSetupButton, ConfirmSetupForm, StartSetupButton } from './setup-forms';
import { DisableTwoFactorForm, RegenerateCodesForm } from './enrolled-forms';
import { PasskeysSection } from './passkeys-section';

export const metadata: Metadata = { title: 'Security' };

const dateFormat = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeZone: 'UTC' });

/** The setup key in groups of four, as authenticator apps show and accept it. */
const grouped = (secret: string) => secret.match(/.{1,4}/g)!.join(' ');

export default async function SecurityPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requireUser();
  const { required } = await searchParams;
  const [state, factors, account, requiring] = await Promise.all([
    twoFactorState(db, user),
    secondFactors(db, user.id),
    db.user.findUniqueOrThrow({ where: { id: user.id }, select: { passwordHash: true } }),
    // Sent here by an organization that requires two-factor authentication (lib/auth/guards.ts):
    // named only when it really does, for this user.
    typeof required === 'string' && required.length <= 64 ? findOrgAccess(user.id, { name: required }) : null,
  ]);
  // Drawn on the server as an image in a data: URL (the CSP allows data: images, no script runs).
  const qr = state.status === 'pending' ? await QRCode.toDataURL(state.otpauthUri, { errorCorrectionLevel: 'M', margin: 2, width: 208 }) : null;
  return (
    <main className="mx-auto max-w-6xl space-y-6 px-6 py-6">
      <div>
        <h1 className="text-2xl font-semibold">Security</h1>
        <p className="mt-1 text-sm text-slate-700">
          Two-factor authentication for {user.email}: after your password, a code from an app on your phone or one of your passkeys.
        </p>
      </div>
      {requiring?.missingTwoFactor ? (
        <p role="note" className="max-w-2xl rounded-md border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900">
          {requiring.org.name} requires two-factor authentication. Set up an authenticator app or add a passkey below to open {requiring.org.name}; your other
          organizations are not affected.
        </p>
      ) : null}
      {requiring && !requiring.missingTwoFactor && (factors.totp || factors.passkeys) ? (
        <p role="note" className="max-w-2xl rounded-md border border-emerald-300 bg-emerald-50 px-4 py-3 text-sm text-emerald-900">
          Two-factor authentication is on: you can{' '}
          <Link href={`/${requiring.org.name}`} className="font-medium underline">
            open {requiring.org.name}
          </Link>{' '}
          now.
        </p>
      ) : null}
      <Card
        id="two-factor-heading"
        title="Authenticator app"
        className="max-w-2xl"
        intro={
          state.status === 'on'
            ? `Two-factor authentication is on, since ${dateFormat.format(state.since)}. Signing in asks for a code from your app after your password.`
            : factors.passkeys
              ? 'Two-factor authentication is on with your passkeys: signing in with your password asks for one of them. An authenticator app (such as 1Password, Google Authenticator or Authy) adds a 6-digit code as another second factor.'
              : 'Two-factor authentication is off. With an authenticator app (such as 1Password, Google Authenticator or Authy), signing in also asks for a 6-digit code that changes every 30 seconds.'
        }
      >
        {state.status === 'off' ? account.passwordHash ? <StartSetupButton /> : <p className="text-sm text-slate-700">{NEEDS_PASSWORD}</p> : null}
        {state.status === 'pending' && qr ? (
          <div className="space-y-4">
            <ol className="list-decimal space-y-4 pl-5 text-sm text-slate-800">
              <li>
                <p>Scan this QR code with your authenticator app.</p>
                {/* eslint-disable-next-line @next/next/no-img-element -- a data: URL drawn on the server, nothing to optimise */}
                <img src={qr} width={208} height={208} alt="QR code to add Spice Portal to your authenticator app" className="mt-2 rounded bg-white" />
              </li>
              <li>
                <p>Or enter the setup key in the app by hand (time-based, 6 digits).</p>
                <label htmlFor="setup-key" className="mt-2 block font-medium">
                  Setup key
                </label>
                <input
                  id="setup-key"
                  readOnly
                  value={grouped(state.secret)}
                  className="mt-1 block w-full max-w-sm rounded-md border border-slate-300 bg-slate-100 px-3 py-2 font-mono text-sm"
                />
              </li>
              <li>
                <p>Enter the 6-digit code the app shows to finish.</p>
              </li>
            </ol>
            <ConfirmSetupForm />
            <CancelSetupButton />
          </div>
        ) : null}
        {state.status === 'on' ? (
          <p className="text-sm text-slate-700">
            Recovery codes left: {state.recoveryCodesLeft} of {RECOVERY_CODE_COUNT}. Each one signs you in once when you do not have your app.
          </p>
        ) : null}
      </Card>
      {state.status === 'on' ? (
        <>
          <Card
            id="recovery-codes-heading"
            title="Recovery codes"
            className="max-w-2xl"
            intro="New codes replace the old ones, which stop working. Confirm with a current code from your app or your password."
          >
            <RegenerateCodesForm />
          </Card>
          <Card
            id="turn-off-heading"
            title="Turn off two-factor authentication"
            danger
            className="max-w-2xl"
            intro="Signing in will ask for your password only. Your other sessions are signed out."
          >
            <DisableTwoFactorForm />
          </Card>
        </>
      ) : null}
      <PasskeysSection user={user} />
    </main>
  );
}
