'use client';

import toast from 'react-hot-toast';
import { useStepUp } from '@/components/auth/step-up';
import { Button } from '@/components/ui/button';
import { FormError } from '@/components/ui/form-error';
import { useActionForm } from '@/components/ui/use-action-form';
import { updateTwoFactorPolicy } from '@/lib/actions/update-two-factor-policy';

/** The owner's switch for the policy; the page lists whom it affects above it. */
export function TwoFactorPolicyForm({ org, required, affected }: { org: string; required: boolean; affected: number }) {
  const stepUp = useStepUp();
  const { pending, formError, onSubmit } = useActionForm(
    (input: FormData) => stepUp(() => updateTwoFactorPolicy(input)),
    (data) => toast.success(data.required ? 'Two-factor authentication is now required.' : 'Two-factor authentication is no longer required.'),
    (form) => {
      form.set('org', org);
      form.set('require', required ? 'off' : 'on');
    },
  );
  return (
    <form onSubmit={onSubmit} className="space-y-3">
      {!required && affected > 0 ? (
        <p className="text-sm text-slate-700">
          {affected === 1 ? 'The member listed above' : `The ${affected} members listed above`} will be shut out of {org} until they set up two-factor
          authentication.
        </p>
      ) : null}
      <FormError message={formError} />
      <Button type="submit" variant={required ? 'secondary' : 'primary'} disabled={pending} aria-busy={pending}>
        {pending ? 'Saving…' : required ? 'Stop requiring two-factor authentication' : 'Require two-factor authentication'}
      </Button>
    </form>
  );
}
