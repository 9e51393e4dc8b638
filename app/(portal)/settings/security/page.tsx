import type { Metadata } from 'next';
import QRCode from 'qrcode';
import { Card } from '@/components/ui/card';
import { db } from '@/lib/db';
import { requireUser } from '@/lib/auth/guards';
import { NEEDS_PASSWORD, RECOVERY_CODE_COUNT, twoFactorState } from '@/lib/auth/two-factor';
import { CancelSetupButton, ConfirmSetupForm, StartSetupButton } from './setup-forms';
import { DisableTwoFactorForm, RegenerateCodesForm } from './enrolled-forms';

export const metadata: Metadata = { title: 'Security' };

const dateFormat = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeZone: 'UTC' });

/** The setup key in groups of four, as authenticator apps show and accept it. */
const grouped = (secret: string) => secret.match(/.{1,4}/g)!.join(' ');

export default async function SecurityPage() {
  const user = await requireUser();
  const [state, account] = await Promise.all([twoFactorState(db, user), db.user.findUniqueOrThrow({ where: { id: user.id }, select: { passwordHash: true } })]);
  // Drawn on the server as an image in a data: URL (the CSP allows data: images, no script runs).
  const qr = state.status === 'pending' ? await QRCode.toDataURL(state.otpauthUri, { errorCorrectionLevel: 'M', margin: 2, width: 208 }) : null;
  return (
    <main className="mx-auto max-w-6xl space-y-6 px-6 py-6">
      <div>
        <h1 className="text-2xl font-semibold">Security</h1>
        <p className="mt-1 text-sm text-slate-700">Two-factor authentication for {user.email}: after your password, a code from an app on your phone.</p>
      </div>
      <Card
        id="two-factor-heading"
        title="Authenticator app"
        className="max-w-2xl"
        intro={
          state.status === 'on'
            ? `Two-factor authentication is on, since ${dateFormat.format(state.since)}. Signing in asks for a code from your app after your password.`
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
    </main>
  );
}
