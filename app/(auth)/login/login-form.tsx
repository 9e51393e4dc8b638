'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { signIn } from 'next-auth/react';
import { useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import { useHydrated } from '@/components/ui/use-hydrated';
import { TextField } from '@/components/ui/text-field';
import { isSignInMessage, SIGN_IN_ERRORS } from '@/lib/auth/messages';
import { PasskeySignIn } from './passkey-sign-in';

export function LoginForm({ callbackUrl, github, notice = null }: { callbackUrl: string; github: boolean; notice?: string | null }) {
  const router = useRouter();
  const hydrated = useHydrated();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    try {
      const result = await signIn('credentials', {
        email: String(form.get('email') ?? ''),
        password: String(form.get('password') ?? ''),
        redirect: false,
      });
      if (result?.ok && !result.error) {
        router.replace(callbackUrl);
        router.refresh();
        return;
      }
      setError(isSignInMessage(result?.error) ? result.error : SIGN_IN_ERRORS.invalid);
    } catch {
      setError('Could not reach the server. Try again.');
    }
    setPending(false);
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
      <form onSubmit={onSubmit} method="post" className="space-y-4" noValidate>
        <TextField label="Email" name="email" type="email" autoComplete="email" required />
        <TextField label="Password" name="password" type="password" autoComplete="current-password" required />
        {error ? (
          <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
            {error}
          </p>
        ) : null}
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
