'use client';

import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import toast from 'react-hot-toast';
import { useStepUp } from '@/components/auth/step-up';
import { Button } from '@/components/ui/button';
import { FormError } from '@/components/ui/form-error';
import { TextField } from '@/components/ui/text-field';
import { useActionForm } from '@/components/ui/use-action-form';
import { cancelTwoFactorSetup } from '@/lib/actions/cancel-two-factor-setup';
import { confirmTwoFactor } from '@/lib/actions/confirm-two-factor';
import { startTwoFactorSetup } from '@/lib/actions/start-two-factor-setup';
import { RecoveryCodes } from './recovery-codes';

/** A button that runs an action with no input and reports a failure as a toast. */
function ActionButton({ action, label, busy, variant }: { action: typeof startTwoFactorSetup; label: string; busy: string; variant?: 'secondary' }) {
  const [pending, startTransition] = useTransition();
  const stepUp = useStepUp();
  return (
    <Button
      variant={variant}
      disabled={pending}
      aria-busy={pending}
      onClick={() =>
        startTransition(async () => {
          const result = await stepUp(() => action({}));
          if (!result.ok) toast.error(result.error);
        })
      }
    >
      {pending ? busy : label}
    </Button>
  );
}

export function StartSetupButton() {
  return <ActionButton action={startTwoFactorSetup} label="Set up authenticator app" busy="Setting up…" />;
}

export function CancelSetupButton() {
  return <ActionButton action={cancelTwoFactorSetup} label="Cancel setup" busy="Cancelling…" variant="secondary" />;
}

/** The first code from the app; then the recovery codes, once. */
export function ConfirmSetupForm() {
  const stepUp = useStepUp();
  const router = useRouter();
  const [codes, setCodes] = useState<string[] | null>(null);
  const { pending, fieldErrors, formError, onSubmit } = useActionForm(
    (input: FormData) => stepUp(() => confirmTwoFactor(input)),
    (data) => setCodes(data.recoveryCodes),
  );
  if (codes) {
    return (
      <RecoveryCodes
        codes={codes}
        onDone={() => {
          toast.success('Two-factor authentication is on.');
          router.refresh();
        }}
      />
    );
  }
  return (
    <form onSubmit={onSubmit} className="max-w-xs space-y-3" noValidate>
      <TextField label="Code from the app" name="code" inputMode="numeric" autoComplete="one-time-code" maxLength={7} required error={fieldErrors.code?.[0]} />
      <FormError message={formError} />
      <Button type="submit" disabled={pending} aria-busy={pending}>
        {pending ? 'Checking…' : 'Turn on two-factor authentication'}
      </Button>
    </form>
  );
}
