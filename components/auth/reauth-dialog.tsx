'use client';

import { startAuthentication } from '@simplewebauthn/browser';
import { signIn } from 'next-auth/react';
import { useEffect, useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import { FormError } from '@/components/ui/form-error';
import { Modal } from '@/components/ui/modal';
import { TextField } from '@/components/ui/text-field';
import { useModalDialog } from '@/components/ui/use-modal-dialog';
import { passkeyBrowserMessage } from '@/components/passkeys/browser-messages';
import { beginPasskeyCheck } from '@/lib/actions/begin-passkey-check';
import { reauthenticate } from '@/lib/actions/reauthenticate';
import type { ReauthOption, ReauthProof } from '@/lib/auth/step-up';

/** The words for each way of confirming: what the dialog asks, and the button that switches to it. */
const OPTION_TEXT: Record<ReauthOption, { ask: string; switchTo: string }> = {
  password: { ask: 'Enter your password to continue.', switchTo: 'Use your password' },
  code: { ask: 'Enter the 6-digit code from your authenticator app, or a recovery code, to continue.', switchTo: 'Use your authenticator app' },
  passkey: { ask: 'Use one of your passkeys to continue: your fingerprint, face, screen lock or security key.', switchTo: 'Use a passkey' },
  github: {
    ask: 'Your account signs in with GitHub. Sign in again with GitHub: you come back to this page, and can then do it again.',
    switchTo: 'Use GitHub',
  },
};

/**
 * The field of each way that is typed in: the password, or a code from the authenticator app
 * (named apart from the page's own code fields: a field's id comes from its name).
 */
const FIELDS = {
  password: { label: 'Password', name: 'password', type: 'password', autoComplete: 'current-password', maxLength: 200 },
  code: { label: 'Authentication code', name: 'reauthCode', type: 'text', autoComplete: 'one-time-code', maxLength: 40, spellCheck: false },
} as const;

/**
 * "Confirm it's you": asks for a proof of one of the user's ways (`options`, first one first,
 * with a button to switch to each other one) and sends it to `reauthenticate`. `onDone(true)`
 * once the session is confirmed, `onDone(false)` on Cancel or Escape. Errors show inline (the
 * field's, or the limiter's message above the buttons) and the dialog stays open.
 *
 * A new way is one more ReauthOption with its text above and its form below, sending its proof
 * through `confirm` (e.g. `confirm({ method: 'code', code })`).
 */
export function ReauthDialog({ options, onDone }: { options: ReauthOption[]; onDone: (confirmed: boolean) => void }) {
  const { dialogRef, initialFocus, onKeyDown, close } = useModalDialog<HTMLButtonElement>();
  const [option, setOption] = useState<ReauthOption | undefined>(options[0]);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});

  // A switch to another way moves focus to its field or button (the switch button is gone).
  useEffect(() => {
    dialogRef.current?.querySelector<HTMLElement>('[data-autofocus]')?.focus();
  }, [dialogRef, option]);

  function finish(confirmed: boolean) {
    close();
    onDone(confirmed);
  }

  async function confirm(proof: ReauthProof) {
    setPending(true);
    const result = await reauthenticate(proof).catch(() => ({ ok: false as const, error: 'Could not reach the server. Try again.' }));
    setPending(false);
    if (result.ok) {
      finish(true);
      return;
    }
    const fields = ('fieldErrors' in result && result.fieldErrors) || {};
    setFieldErrors(fields);
    setError(Object.keys(fields).length === 0 ? result.error : null);
    // Back to the field, to try again.
    dialogRef.current?.querySelector<HTMLElement>('[data-autofocus]')?.focus();
  }

  /** A challenge for the user's passkeys, the browser's passkey, then its answer as the proof. */
  async function onPasskey() {
    setPending(true);
    setError(null);
    const begun = await beginPasskeyCheck({}).catch(() => ({ ok: false as const, error: 'Could not reach the server. Try again.' }));
    if (!begun.ok) {
      setPending(false);
      setError(begun.error);
      return;
    }
    let response;
    try {
      response = await startAuthentication({ optionsJSON: begun.data });
    } catch (failure) {
      setPending(false);
      setError(passkeyBrowserMessage(failure, 'use'));
      return;
    }
    await confirm({ method: 'passkey', response });
  }

  function onFieldSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const value = (name: string) => String(new FormData(event.currentTarget).get(name) ?? '');
    void confirm(option === 'code' ? { method: 'code', code: value('reauthCode') } : { method: 'password', password: value('password') });
  }

  const field = option === 'password' || option === 'code' ? FIELDS[option] : null;

  const others = options.filter((other) => other !== option);
  return (
    <Modal
      dialogRef={dialogRef}
      onKeyDown={onKeyDown}
      title="Confirm it’s you"
      titleId="reauth-dialog-title"
      describedBy="reauth-dialog-ask"
      busy={pending}
      onDismiss={() => finish(false)}
    >
      <div className="mt-2 space-y-3 text-sm text-slate-700">
        <p>This action needs a recent sign-in.</p>
        <p id="reauth-dialog-ask">{option ? OPTION_TEXT[option].ask : 'Sign out and sign in again, then do it again.'}</p>
      </div>
      {field ? (
        <form onSubmit={onFieldSubmit} className="mt-4 space-y-4" noValidate>
          <TextField key={field.name} {...field} required error={fieldErrors[option === 'code' ? 'code' : 'password']?.[0]} data-autofocus />
          <FormError message={error} />
          <div className="flex justify-end gap-2">
            <Button ref={initialFocus} variant="secondary" onClick={() => finish(false)} disabled={pending}>
              Cancel
            </Button>
            <Button type="submit" disabled={pending} aria-busy={pending}>
              {pending ? 'Confirming…' : 'Confirm'}
            </Button>
          </div>
        </form>
      ) : (
        <div className="mt-6 flex flex-wrap justify-end gap-2">
          {option === 'passkey' ? (
            <div className="w-full">
              <FormError message={error} />
            </div>
          ) : null}
          <Button ref={initialFocus} variant="secondary" onClick={() => finish(false)} disabled={pending}>
            Cancel
          </Button>
          {option === 'github' ? (
            <Button data-autofocus onClick={() => void signIn('github', { callbackUrl: window.location.href })}>
              Sign in again with GitHub
            </Button>
          ) : null}
          {option === 'passkey' ? (
            <Button data-autofocus onClick={() => void onPasskey()} disabled={pending} aria-busy={pending}>
              {pending ? 'Waiting for your passkey…' : 'Use a passkey'}
            </Button>
          ) : null}
        </div>
      )}
      {others.length > 0 ? (
        <div className="mt-4 flex flex-wrap gap-2 border-t border-slate-200 pt-4">
          {others.map((other) => (
            <Button
              key={other}
              variant="secondary"
              disabled={pending}
              onClick={() => {
                setOption(other);
                setError(null);
                setFieldErrors({});
              }}
            >
              {OPTION_TEXT[other].switchTo}
            </Button>
          ))}
        </div>
      ) : null}
    </Modal>
  );
}
