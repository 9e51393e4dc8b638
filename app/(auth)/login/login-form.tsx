'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { signIn } from 'next-auth/react';
import { useEffect, useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import { useHydrated } from '@/components/ui/use-hydrated';
import { TextField } from '@/components/ui/text-field';
import { startSignIn } from '@/lib/actions/start-sign-in';
import { isSignInMessage, SECOND_STEP_TTL_MS, SIGN_IN_ERRORS } from '@/lib/auth/messages';
import { PasskeySignIn } from './passkey-sign-in';

/**
 * The first step (email and password) or, for an account with two-factor authentication, the
 * second (a code from the app, or a recovery code). The ticket the first step answers with stays
 * in this component's memory only (never in a URL or in storage) and is good for 5 minutes.
 */
type Step = { kind: 'password' } | { kind: 'second'; ticket: string; method: 'code' | 'recovery' };

const UNREACHABLE = 'Could not reach the server. Try again.';

/** `ticket`: a second step already started by GitHub (the sign-in page read it from its cookie). */
export function LoginForm({
  callbackUrl,
  github,
  notice = null,
  ticket = null,
}: {
  callbackUrl: string;
  github: boolean;
  notice?: string | null;
  ticket?: string | null;
}) {
  const router = useRouter();
  const hydrated = useHydrated();
  const [step, setStep] = useState<Step>(ticket ? { kind: 'second', ticket, method: 'code' } : { kind: 'password' });
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
        setStep({ kind: 'second', ticket: started.data.ticket, method: 'code' });
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

  async function onSecondFactor(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (step.kind !== 'second') return;
    const value = String(new FormData(event.currentTarget).get('code') ?? '');
    setPending(true);
    setError(null);
    try {
      const failed = await finish(step.method === 'code' ? { ticket: step.ticket, code: value } : { ticket: step.ticket, recoveryCode: value });
      if (!failed) return;
      // Too late or too many wrong codes: the first step again, with the reason.
      if (failed === SIGN_IN_ERRORS.expired) setStep({ kind: 'password' });
      setError(failed);
    } catch {
      setError(UNREACHABLE);
    }
    setPending(false);
  }

  const alert = error ? (
    <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
      {error}
    </p>
  ) : null;

  if (step.kind === 'second') {
    const byCode = step.method === 'code';
    return (
      <div className="space-y-5">
        <h1 className="text-xl font-semibold">Two-factor authentication</h1>
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
        <div className="flex flex-col items-start gap-2 text-sm">
          <button
            type="button"
            className="font-medium text-indigo-700 underline"
            onClick={() => {
              setError(null);
              setStep({ ...step, method: byCode ? 'recovery' : 'code' });
            }}
          >
            {byCode ? 'Use a recovery code' : 'Use your authenticator app'}
          </button>
          {/* A passkey as the second factor: a "Use a passkey" button goes here. It would pass this
              step with the same ticket (step.ticket), through the Credentials provider as the code
              does. (A passkey already signs in on its own, instead of the password, on the first step.) */}
          <button
            type="button"
            className="font-medium text-indigo-700 underline"
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
