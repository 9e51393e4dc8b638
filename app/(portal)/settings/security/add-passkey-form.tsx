'use client';

import { browserSupportsWebAuthn, startRegistration } from '@simplewebauthn/browser';
import { useState, useTransition, type FormEvent } from 'react';
import toast from 'react-hot-toast';
import { useStepUp } from '@/components/auth/step-up';
import { Button } from '@/components/ui/button';
import { FormError } from '@/components/ui/form-error';
import { TextField } from '@/components/ui/text-field';
import { useHydrated } from '@/components/ui/use-hydrated';
import { passkeyBrowserMessage } from '@/components/passkeys/browser-messages';
import { addPasskey } from '@/lib/actions/add-passkey';
import { beginPasskeyRegistration } from '@/lib/actions/begin-passkey-registration';

/** Names the new passkey, then asks the browser to make it and the server to keep it. */
export function AddPasskeyForm({ suggestedName }: { suggestedName: string }) {
  const stepUp = useStepUp();
  const hydrated = useHydrated();
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const [nameError, setNameError] = useState<string | undefined>();
  const supported = !hydrated || browserSupportsWebAuthn();

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const name = String(new FormData(form).get('name') ?? '').trim();
    setError(null);
    setNameError(undefined);
    if (!name) {
      setNameError('Enter a name for the passkey.');
      return;
    }
    startTransition(async () => {
      const begun = await stepUp(() => beginPasskeyRegistration({}));
      if (!begun.ok) return setError(begun.error);
      let response;
      try {
        response = await startRegistration({ optionsJSON: begun.data });
      } catch (failure) {
        return setError(passkeyBrowserMessage(failure, 'add'));
      }
      const added = await stepUp(() => addPasskey({ name, response }));
      if (!added.ok) {
        if (added.fieldErrors?.name) setNameError(added.fieldErrors.name[0]);
        else setError(added.error);
        return;
      }
      form.reset();
      toast.success(`Passkey ${added.data.name} added`);
    });
  }

  if (!supported) return <p className="text-sm text-slate-700">This browser cannot make passkeys.</p>;
  return (
    <form onSubmit={onSubmit} className="max-w-md space-y-4" noValidate>
      <TextField
        label="Passkey name"
        name="name"
        defaultValue={suggestedName}
        maxLength={64}
        required
        hint="To tell your passkeys apart, for example the device it is on."
        error={nameError}
      />
      <FormError message={error} />
      <Button type="submit" disabled={pending || !hydrated} aria-busy={pending}>
        {pending ? 'Adding passkey…' : 'Add passkey'}
      </Button>
    </form>
  );
}
