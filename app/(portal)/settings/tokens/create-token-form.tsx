'use client';

import { useState } from 'react';
import toast from 'react-hot-toast';
import { useStepUp } from '@/components/auth/step-up';
import { ScopeFieldset } from '@/components/tokens/scope-fieldset';
import { Button } from '@/components/ui/button';
import { FormError } from '@/components/ui/form-error';
import { TextField } from '@/components/ui/text-field';
import { useActionForm } from '@/components/ui/use-action-form';
import { createToken } from '@/lib/actions/tokens';
import { copyText } from '@/lib/clipboard';

const selectClass = 'block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm focus:outline-2 focus:outline-indigo-600';

export function CreateTokenForm({ orgs }: { orgs: string[] }) {
  const [expiration, setExpiration] = useState('30');
  const [created, setCreated] = useState<{ token: string; name: string } | null>(null);
  const stepUp = useStepUp();
  const { pending, fieldErrors, formError, onSubmit } = useActionForm(
    (input: FormData) => stepUp(() => createToken(input)),
    (data, form) => {
      setCreated(data);
      form.reset();
      setExpiration('30');
      toast.success(`Token ${data.name} created`);
    },
  );

  async function copy() {
    if (!created) return;
    if (await copyText(created.token)) toast.success('Token copied');
    else toast.error('Could not copy the token. Select it and copy it by hand.');
  }

  return (
    <div className="space-y-4">
      {created ? (
        <div role="region" aria-label="New token" className="space-y-2 rounded-md border border-amber-300 bg-amber-50 p-4">
          <p className="text-sm font-medium text-amber-900">Copy the token {created.name} now. It cannot be shown again.</p>
          <div className="flex flex-wrap gap-2">
            <label htmlFor="new-token" className="sr-only">
              New token
            </label>
            <input
              id="new-token"
              readOnly
              value={created.token}
              className="min-w-0 flex-1 rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-sm"
            />
            <Button variant="secondary" onClick={() => void copy()}>
              Copy token
            </Button>
            <Button variant="secondary" onClick={() => setCreated(null)}>
              Done
            </Button>
          </div>
        </div>
      ) : null}
      <form onSubmit={onSubmit} className="space-y-4" noValidate>
        <TextField label="Name" name="name" required maxLength={64} placeholder="ci-rotate" error={fieldErrors.name?.[0]} />
        <div className="space-y-1">
          <label htmlFor="token-org" className="block text-sm font-medium text-slate-800">
            Organization
          </label>
          <select id="token-org" name="org" className={selectClass} defaultValue={orgs[0]}>
            {orgs.map((org) => (
              <option key={org} value={org}>
                {org}
              </option>
            ))}
            <option value="*">All organizations</option>
          </select>
          {fieldErrors.org ? <p className="text-sm text-red-700">{fieldErrors.org[0]}</p> : null}
        </div>
        <ScopeFieldset />
        <div className="space-y-1">
          <label htmlFor="token-expiration" className="block text-sm font-medium text-slate-800">
            Expiration
          </label>
          <select id="token-expiration" name="expiration" className={selectClass} value={expiration} onChange={(e) => setExpiration(e.target.value)}>
            <option value="7">7 days</option>
            <option value="30">30 days</option>
            <option value="90">90 days</option>
            <option value="date">On a date…</option>
            <option value="none">No expiration</option>
          </select>
          {expiration === 'date' ? (
            <div className="pt-2">
              <TextField label="Expires on" name="expiresOn" type="date" required error={fieldErrors.expiresOn?.[0]} />
            </div>
          ) : null}
          {expiration === 'none' ? (
            <p role="note" className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900">
              A token without an expiration works until you revoke it. Prefer one that expires, and rotate it.
            </p>
          ) : null}
        </div>
        <FormError message={formError} />
        <Button type="submit" disabled={pending} aria-busy={pending}>
          {pending ? 'Creating…' : 'Create token'}
        </Button>
      </form>
    </div>
  );
}
