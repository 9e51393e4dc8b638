'use client';

import { startAuthentication } from '@simplewebauthn/browser';
import { useRouter } from 'next/navigation';
import { signIn } from 'next-auth/react';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { FormError } from '@/components/ui/form-error';
import { useHydrated } from '@/components/ui/use-hydrated';
import { passkeyBrowserMessage } from '@/components/passkeys/browser-messages';
import { beginPasskeySignIn } from '@/lib/actions/begin-passkey-sign-in';
import { isSignInMessage, PASSKEY_MESSAGES } from '@/lib/auth/messages';

/**
 * "Sign in with a passkey": a challenge from the server, the browser's passkey picker (a
 * discoverable credential: no e-mail needed), then next-auth's `passkey` provider checks the
 * answer and starts the same session as a password sign-in.
 */
export function PasskeySignIn({ callbackUrl }: { callbackUrl: string }) {
  const router = useRouter();
  const hydrated = useHydrated();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function run(): Promise<string | null> {
    const begun = await beginPasskeySignIn({});
    if (!begun.ok) return begun.error;
    let response;
    try {
      response = await startAuthentication({ optionsJSON: begun.data });
    } catch (failure) {
      return passkeyBrowserMessage(failure, 'use');
    }
    const result = await signIn('passkey', { response: JSON.stringify(response), redirect: false });
    if (result?.ok && !result.error) {
      router.replace(callbackUrl);
      router.refresh();
      return null;
    }
    return isSignInMessage(result?.error) ? result.error : PASSKEY_MESSAGES.failed;
  }

  async function onClick() {
    setPending(true);
    setError(null);
    const message = await run().catch(() => 'Could not reach the server. Try again.');
    if (message) {
      setError(message);
      setPending(false);
    }
  }

  return (
    <div className="space-y-2">
      <Button variant="secondary" className="w-full" onClick={() => void onClick()} disabled={pending || !hydrated} aria-busy={pending}>
        {pending ? 'Waiting for your passkey…' : 'Sign in with a passkey'}
      </Button>
      <FormError message={error} />
    </div>
  );
}
