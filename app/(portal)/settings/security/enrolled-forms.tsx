'use client';

import { useState } from 'react';
import toast from 'react-hot-toast';
import { useStepUp } from '@/components/auth/step-up';
import { Button } from '@/components/ui/button';
import { FormError } from '@/components/ui/form-error';
import { TextField } from '@/components/ui/text-field';
import { useActionForm } from '@/components/ui/use-action-form';
import { disableTwoFactor } from '@/lib/actions/disable-two-factor';
import { regenerateRecoveryCodes } from '@/lib/actions/regenerate-recovery-codes';
import { RecoveryCodes } from './recovery-codes';

/** "Generate new codes": a current code or the password, then the new codes, once. */
export function RegenerateCodesForm() {
  const [codes, setCodes] = useState<string[] | null>(null);
  const { pending, fieldErrors, formError, onSubmit } = useActionForm(regenerateRecoveryCodes, (data, form) => {
    form.reset();
    setCodes(data.recoveryCodes);
  });
  if (codes) return <RecoveryCodes codes={codes} onDone={() => setCodes(null)} />;
  return (
    <form onSubmit={onSubmit} className="max-w-sm space-y-3" noValidate>
      <TextField
        label="Code from your app, or your password"
        name="credential"
        type="password"
        autoComplete="current-password"
        required
        error={fieldErrors.credential?.[0]}
      />
      <FormError message={formError} />
      <Button type="submit" disabled={pending} aria-busy={pending}>
        {pending ? 'Generating…' : 'Generate new codes'}
      </Button>
    </form>
  );
}

/** Turning two-factor authentication off: the password and a current code or a recovery code. */
export function DisableTwoFactorForm() {
  const stepUp = useStepUp();
  const { pending, fieldErrors, formError, onSubmit } = useActionForm(
    (input: FormData) => stepUp(() => disableTwoFactor(input)),
    () => toast.success('Two-factor authentication is off.'),
  );
  return (
    <form onSubmit={onSubmit} className="max-w-sm space-y-3" noValidate>
      <TextField label="Password" name="currentPassword" type="password" autoComplete="current-password" required error={fieldErrors.currentPassword?.[0]} />
      <TextField label="Code from your app, or a recovery code" name="code" autoComplete="one-time-code" required error={fieldErrors.code?.[0]} />
      <FormError message={formError} />
      <Button type="submit" variant="danger" disabled={pending} aria-busy={pending}>
        {pending ? 'Turning off…' : 'Turn off two-factor authentication'}
      </Button>
    </form>
  );
}
