'use client';

import { useRouter } from 'next/navigation';
import toast from 'react-hot-toast';
import { Button } from '@/components/ui/button';
import { FormError } from '@/components/ui/form-error';
import { TextField } from '@/components/ui/text-field';
import { useActionForm } from '@/components/ui/use-action-form';
import { createOrganization } from '@/lib/actions/create-organization';
import { NAME_RULE } from '@/lib/names';

export function NewOrganizationForm() {
  const router = useRouter();
  const { pending, fieldErrors, formError, onSubmit } = useActionForm(createOrganization, (data) => {
    toast.success(`Created ${data.name}`);
    router.push(`/${data.name}`);
  });

  return (
    <form onSubmit={onSubmit} className="space-y-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm" noValidate>
      <TextField
        label="Organization name"
        name="name"
        required
        autoComplete="off"
        spellCheck={false}
        hint={`${NAME_RULE} It is the organization’s URL.`}
        error={fieldErrors.name?.[0]}
      />
      <FormError message={formError} />
      <Button type="submit" disabled={pending} aria-busy={pending}>
        {pending ? 'Creating…' : 'Create organization'}
      </Button>
    </form>
  );
}
