'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { signIn } from 'next-auth/react';
import { useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import { useHydrated } from '@/components/ui/use-hydrated';
import { TextField } from '@/components/ui/text-field';
import { signUp } from '@/lib/actions/sign-up';

/** `callbackUrl`: a same-site page to open once signed up (a deep link that led here), or '/'. */
export function SignupForm({ callbackUrl }: { callbackUrl: string }) {
  const router = useRouter();
  const hydrated = useHydrated();
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    setFieldErrors({});
    try {
      const result = await signUp(form);
      if (!result.ok) {
        setError(result.error);
        setFieldErrors(result.fieldErrors ?? {});
        setPending(false);
        return;
      }
      const signedIn = await signIn('credentials', {
        email: String(form.get('email')),
        password: String(form.get('password')),
        redirect: false,
      });
      if (!signedIn?.ok || signedIn.error) {
        router.replace('/login');
        return;
      }
      router.replace(callbackUrl === '/' ? `/${result.data.orgName}` : callbackUrl);
      router.refresh();
    } catch {
      setError('Could not reach the server. Try again.');
      setPending(false);
    }
  }

  return (
    <div className="space-y-5">
      <h1 className="text-xl font-semibold">Create your account</h1>
      {/* POST, never GET: a submission before the page's code runs must not put the password in a URL. */}
      <form onSubmit={onSubmit} method="post" className="space-y-4" noValidate>
        <TextField label="Name" name="name" autoComplete="name" required maxLength={100} error={fieldErrors.name?.[0]} />
        <TextField label="Email" name="email" type="email" autoComplete="email" required error={fieldErrors.email?.[0]} />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={8}
          hint="At least 8 characters."
          error={fieldErrors.password?.[0]}
        />
        {error ? (
          <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
            {error}
          </p>
        ) : null}
        <Button type="submit" className="w-full" disabled={pending || !hydrated} aria-busy={pending}>
          {pending ? 'Creating account…' : 'Create account'}
        </Button>
      </form>
      <p className="text-sm text-slate-700">
        Already have an account?{' '}
        <Link href={callbackUrl === '/' ? '/login' : `/login?${new URLSearchParams({ callbackUrl })}`} className="font-medium text-indigo-700 underline">
          Sign in
        </Link>
      </p>
    </div>
  );
}
