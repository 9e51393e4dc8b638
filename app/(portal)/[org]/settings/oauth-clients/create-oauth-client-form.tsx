'use client';

import { useState } from 'react';
import toast from 'react-hot-toast';
import { useStepUp } from '@/components/auth/step-up';
import { Button } from '@/components/ui/button';
import { FormError } from '@/components/ui/form-error';
import { TextField } from '@/components/ui/text-field';
import { useActionForm } from '@/components/ui/use-action-form';
import { createOAuthClient } from '@/lib/actions/create-oauth-client';
import { ClientSecretPanel, type ShownSecret } from './client-secret-panel';

const SCOPES = [
  { value: 'apps:read', hint: 'List apps and read their keys' },
  { value: 'apps:write', hint: 'Also regenerate keys (includes apps:read)' },
  { value: '*', hint: 'Everything an admin can do through the API' },
];

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
        <fieldset className="space-y-2">
          <legend className="text-sm font-medium text-slate-800">Scopes</legend>
          {SCOPES.map((scope) => (
            <label key={scope.value} className="flex items-start gap-2 text-sm">
              <input type="radio" name="scope" value={scope.value} defaultChecked={scope.value === 'apps:read'} className="mt-1" />
              <span>
                <span className="font-mono">{scope.value}</span> <span className="text-slate-600">— {scope.hint}</span>
              </span>
            </label>
          ))}
        </fieldset>
        <FormError message={formError} />
        <Button type="submit" disabled={pending} aria-busy={pending}>
          {pending ? 'Creating…' : 'Create client'}
        </Button>
      </form>
    </div>
  );
}
