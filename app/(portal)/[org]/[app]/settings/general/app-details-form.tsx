'use client';

import { useRouter } from 'next/navigation';
import toast from 'react-hot-toast';
import { DescriptionField } from '@/components/apps/description-field';
import { Button } from '@/components/ui/button';
import { FormError } from '@/components/ui/form-error';
import { TextField } from '@/components/ui/text-field';
import { useActionForm } from '@/components/ui/use-action-form';
import { updateApp } from '@/lib/actions/update-app';
import { NAME_RULE } from '@/lib/names';

/** Rename the app and edit its description (owners and admins). After a rename the page moves to the new URL. */
export function AppDetailsForm({ appId, name, description }: { appId: number; name: string; description: string }) {
  const router = useRouter();
  const { pending, fieldErrors, formError, onSubmit } = useActionForm(
    updateApp,
    (data) => {
      if (data.name === name) {
        toast.success('Saved');
        return;
      }
      toast.success(`Renamed to ${data.name}`);
      router.replace(`/${data.org}/${data.name}/settings/general`);
    },
    (form) => form.set('appId', String(appId)),
  );

  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      <TextField
        label="App name"
        name="name"
        defaultValue={name}
        required
        autoComplete="off"
        spellCheck={false}
        hint={NAME_RULE}
        error={fieldErrors.name?.[0]}
      />
      <DescriptionField defaultValue={description} error={fieldErrors.description?.[0]} />
      <FormError message={formError} />
      <Button type="submit" disabled={pending} aria-busy={pending}>
        {pending ? 'Saving…' : 'Save changes'}
      </Button>
    </form>
  );
}
