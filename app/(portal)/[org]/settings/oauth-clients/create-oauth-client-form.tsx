'use client';

import { useState } from 'react';
import toast from 'react-hot-toast';
import { useStepUp } from '@/components/auth/step-up';
import { ScopeFieldset } from '@/components/tokens/scope-fieldset';
import { Button } from '@/components/ui/button';
import { FormError } from '@/components/ui/form-error';
import { TextField } from '@/components/ui/text-field';
import { useActionForm } from '@/components/ui/use-action-form';
import { createOAuthClient } from '@/lib/actions/create-oauth-client';
import { ClientSecretPanel, type ShownSecret } from './client-secret-panel';

export function CreateOAuthClientForm({ org }: { org: string }) {
  const [created, setCreated] = useState<ShownSecret | null>(null);
  const stepUp = useStepUp();
  const { pending, fieldErrors, formError, onSubmit } = useActionForm(
    (input: FormData) => stepUp(() => createOAuthClient(input)),
    (data, form) => {
      setCreated(data);
      form.reset();
      toast.success(`OAuth client ${data.name} created`);
    },
  );
  return (
    <div className="space-y-4">
      {created ? <ClientSecretPanel shown={created} onDone={() => setCreated(null)} /> : null}
      <form onSubmit={onSubmit} className="space-y-4" noValidate>
        <input type="hidden" name="org" value={org} />
        <TextField label="Name" name="name" required maxLength={64} placeholder="ci-rotate" error={fieldErrors.name?.[0]} />
        <TextField label="Description (optional)" name="description" maxLength={200} error={fieldErrors.description?.[0]} />
        <ScopeFieldset />
        <FormError message={formError} />
        <Button type="submit" disabled={pending} aria-busy={pending}>
          {pending ? 'Creating…' : 'Create client'}
        </Button>
      </form>
    </div>
  );
}
