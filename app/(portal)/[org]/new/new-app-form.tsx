'use client';

import { useRouter } from 'next/navigation';
import { DescriptionField } from '@/components/apps/description-field';
import { Button } from '@/components/ui/button';
import { FormError } from '@/components/ui/form-error';
import { TextField } from '@/components/ui/text-field';
import { useActionForm } from '@/components/ui/use-action-form';
import { createApp } from '@/lib/actions/create-app';
import { NAME_RULE } from '@/lib/names';

export function NewAppForm({ org }: { org: string }) {
  const router = useRouter();
  const { pending, fieldErrors, formError, onSubmit } = useActionForm(
    createApp,
    (data) => router.push(`/${org}/${data.name}`),
    (form) => form.set('org', org),
  );

  return (
    <form onSubmit={onSubmit} className="space-y-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm" noValidate>
      <TextField label="App name" name="name" required autoComplete="off" hint={NAME_RULE} error={fieldErrors.name?.[0]} />
      <DescriptionField error={fieldErrors.description?.[0]} />
      <FormError message={formError} />
      <Button type="submit" disabled={pending} aria-busy={pending}>
        {pending ? 'Creating…' : 'Create app'}
      </Button>
    </form>
  );
}
