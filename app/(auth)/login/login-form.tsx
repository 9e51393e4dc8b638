'use client';

import Link from 'next/link';
import { startAuthentication } from '@simplewebauthn/browser';
import { useRouter } from 'next/navigation';
import { signIn } from 'next-auth/react';
import { useEffect, useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import { useHydrated } from '@/components/ui/use-hydrated';
import { TextField } from '@/components/ui/text-field';
import { passkeyBrowserMessage } from '@/components/passkeys/browser-messages';
import { beginPasskeySecondStep } from '@/lib/actions/begin-passkey-second-step';
import { startSignIn } from '@/lib/actions/start-sign-in';
import { isSignInMessage, PASSKEY_MESSAGES, SECOND_STEP_TTL_MS, SIGN_IN_ERRORS } from '@/lib/auth/messages';
import { PasskeySignIn } from './passkey-sign-in';

/**
 * The first step (email and password) or, for an account with two-factor authentication, the
 * second: a code from the app or a recovery code (with an authenticator app), a passkey (with
 * passkeys); an account with both is offered both. The ticket the first step answers with stays
 * in this component's memory only (never in a URL or in storage) and is good for 5 minutes.
 */
type Method = 'code' | 'recovery' | 'passkey';
type Step = { kind: 'password' } | { kind: 'second'; ticket: string; method: Method; factors: { totp: boolean; passkeys: boolean } };

const UNREACHABLE = 'Could not reach the server. Try again.';

/** `secondStep`: one already started by GitHub (the sign-in page read its ticket from its cookie, and which factors the account has). */
export function LoginForm({
  callbackUrl,
  github,
  notice = null,
  secondStep: started = null,
}: {
  callbackUrl: string;
  github: boolean;
  notice?: string | null;
  secondStep?: { ticket: string; factors: { totp: boolean; passkeys: boolean } } | null;
}) {
  const router = useRouter();
  const hydrated = useHydrated();
  const [step, setStep] = useState<Step>(
    started ? { kind: 'second', ticket: started.ticket, method: started.factors.totp ? 'code' : 'passkey', factors: started.factors } : { kind: 'password' },
  );
  const [email, setEmail] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  // The second step lasts as long as its ticket: then back to the first, saying why (the server
  // refuses a late ticket anyway).
  const secondStep = step.kind === 'second' ? step.ticket : null;
  useEffect(() => {
    if (!secondStep) return;
    const timer = setTimeout(() => {
      setStep({ kind: 'password' });
      setError(SIGN_IN_ERRORS.expired);
    }, SECOND_STEP_TTL_MS);
    return () => clearTimeout(timer);
  }, [secondStep]);

  /** Hands the ticket (and the second factor) to next-auth: a session, or the message to show. */
  async function finish(credentials: Record<string, string>): Promise<string | null> {
    const result = await signIn('credentials', { ...credentials, redirect: false });
    if (result?.ok && !result.error) {
      router.replace(callbackUrl);
      router.refresh();
      return null;
    }
    return isSignInMessage(result?.error) ? result.error : SIGN_IN_ERRORS.invalid;
  }

  async function onPassword(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setEmail(String(form.get('email') ?? ''));
    setPending(true);
    setError(null);
    try {
      const started = await startSignIn({ email: String(form.get('email') ?? ''), password: String(form.get('password') ?? '') });
      if (!started.ok) {
        setError(started.error);
      } else if (started.data.secondFactor) {
        const { factors } = started.data;
        setStep({ kind: 'second', ticket: started.data.ticket, method: factors.totp ? 'code' : 'passkey', factors });
      } else {
        const failed = await finish({ ticket: started.data.ticket });
        if (!failed) return;
        setError(failed);
      }
    } catch {
      setError(UNREACHABLE);
    }
    setPending(false);
  }

  /** The second factor to next-auth; back to the first step when the ticket is gone. */
  async function passSecondStep(run: () => Promise<string | null>) {
    setPending(true);
    setError(null);
    try {
      const failed = await run();
      if (!failed) return;
      // Too late or too many wrong codes: the first step again, with the reason.
      if (failed === SIGN_IN_ERRORS.expired) setStep({ kind: 'password' });
      setError(failed);
    } catch {
      setError(UNREACHABLE);
    }
    setPending(false);
  }

  function onSecondFactor(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (step.kind !== 'second') return;
    const value = String(new FormData(event.currentTarget).get('code') ?? '');
    void passSecondStep(() => finish(step.method === 'code' ? { ticket: step.ticket, code: value } : { ticket: step.ticket, recoveryCode: value }));
  }

  /** "Use a passkey": a challenge for the ticket's account, the browser's passkey, then the same ticket to next-auth. */
  function onPasskey() {
    if (step.kind !== 'second') return;
    const { ticket } = step;
    void passSecondStep(async () => {
      const begun = await beginPasskeySecondStep({ ticket });
      if (!begun.ok) return isSignInMessage(begun.error) ? begun.error : PASSKEY_MESSAGES.failed;
      let response;
      try {
        response = await startAuthentication({ optionsJSON: begun.data });
      } catch (failure) {
        return passkeyBrowserMessage(failure, 'use');
      }
      return finish({ ticket, passkey: JSON.stringify(response) });
    });
  }

  const alert = error ? (
    <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
      {error}
    </p>
  ) : null;

  if (step.kind === 'second') {
    const byCode = step.method === 'code';
    const link = 'font-medium text-indigo-700 underline';
    const switchTo = (method: Method) => {
      setError(null);
      setStep({ ...step, method });
    };
    return (
      <div className="space-y-5">
        <h1 className="text-xl font-semibold">Two-factor authentication</h1>
        {step.method === 'passkey' ? (
          <div className="space-y-4">
            <p className="text-sm text-slate-700">Confirm it’s you with one of your passkeys: your fingerprint, face, screen lock or security key.</p>
            {alert}
            <Button className="w-full" onClick={onPasskey} disabled={pending} aria-busy={pending} autoFocus>
              {pending ? 'Waiting for your passkey…' : 'Use a passkey'}
            </Button>
          </div>
        ) : (
          <form onSubmit={onSecondFactor} method="post" className="space-y-4" noValidate>
            {/* The key makes each method its own empty field. */}
            <TextField
              key={step.method}
              label={byCode ? 'Authentication code' : 'Recovery code'}
              name="code"
              hint={byCode ? 'The 6-digit code from your authenticator app.' : 'One of the recovery codes you saved. Each one works once.'}
              inputMode={byCode ? 'numeric' : 'text'}
              autoComplete={byCode ? 'one-time-code' : 'off'}
              autoCapitalize="none"
              spellCheck={false}
              maxLength={byCode ? 7 : 40}
              required
              autoFocus
            />
            {alert}
            <Button type="submit" className="w-full" disabled={pending} aria-busy={pending}>
              {pending ? 'Verifying…' : 'Verify'}
            </Button>
          </form>
        )}
        <div className="flex flex-col items-start gap-2 text-sm">
          {/* The other ways this account has (a passkey-only account has no code to type). */}
          {step.factors.totp && step.method !== 'recovery' ? (
            <button type="button" className={link} onClick={() => switchTo('recovery')}>
              Use a recovery code
            </button>
          ) : null}
          {step.factors.totp && step.method !== 'code' ? (
            <button type="button" className={link} onClick={() => switchTo('code')}>
              Use your authenticator app
            </button>
          ) : null}
          {step.factors.passkeys && step.method !== 'passkey' ? (
            <button type="button" className={link} onClick={() => switchTo('passkey')}>
              Use a passkey
            </button>
          ) : null}
          <button
            type="button"
            className={link}
            onClick={() => {
              setError(null);
              setStep({ kind: 'password' });
            }}
          >
            Back to sign in
          </button>
        </div>
      </div>
    );
  }

  return (
    <div className="space-y-5">
      <h1 className="text-xl font-semibold">Sign in</h1>
      {notice ? (
        <p role="status" className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900">
          {notice}
        </p>
      ) : null}
      {/* POST, never GET: a submission before the page's code runs must not put the password in a URL. */}
      <form onSubmit={onPassword} method="post" className="space-y-4" noValidate>
        <TextField label="Email" name="email" type="email" autoComplete="email" required defaultValue={email} />
        <TextField label="Password" name="password" type="password" autoComplete="current-password" required />
        {alert}
        <Button type="submit" className="w-full" disabled={pending || !hydrated} aria-busy={pending}>
          {pending ? 'Signing in…' : 'Sign in'}
        </Button>
      </form>
      <PasskeySignIn callbackUrl={callbackUrl} />
      {github ? (
        <Button variant="secondary" className="w-full" onClick={() => signIn('github', { callbackUrl })}>
          Sign in with GitHub
        </Button>
      ) : null}
      <p className="text-sm text-slate-700">
        New here?{' '}
        <Link href={callbackUrl === '/' ? '/signup' : `/signup?${new URLSearchParams({ callbackUrl })}`} className="font-medium text-indigo-700 underline">
          Create an account
        </Link>
      </p>
    </div>
  );
}
