'use client';

import { useRouter } from 'next/navigation';
import { useState, useTransition, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import { TextField } from '@/components/ui/text-field';
import { createApp } from '@/lib/actions/create-app';

export function NewAppForm({ org }: { org: string }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    form.set('org', org);
    startTransition(async () => {
      const result = await createApp(form);
      if (!result.ok) {
        setError(result.error);
        setFieldErrors(result.fieldErrors ?? {});
        return;
      }
      router.push(`/${org}/${result.data.name}`);
    });
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm" noValidate>
      <TextField
        label="App name"
        name="name"
        required
        autoComplete="off"
        hint="4 to 63 characters: letters, digits and hyphens."
        error={fieldErrors.name?.[0]}
      />
      <div className="space-y-1">
        <label htmlFor="field-description" className="block text-sm font-medium text-slate-800">
          Description <span className="font-normal text-slate-600">(optional)</span>
        </label>
        <textarea
          id="field-description"
          name="description"
          rows={3}
          maxLength={500}
          aria-invalid={fieldErrors.description ? true : undefined}
          className="block w-full rounded-md border border-slate-300 px-3 py-2 text-sm shadow-sm focus:outline-2 focus:outline-indigo-600"
        />
        {fieldErrors.description ? <p className="text-sm text-red-700">{fieldErrors.description[0]}</p> : null}
      </div>
      {error && !fieldErrors.name && !fieldErrors.description ? (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
          {error}
        </p>
      ) : null}
      <Button type="submit" disabled={pending} aria-busy={pending}>
        {pending ? 'Creating…' : 'Create app'}
      </Button>
    </form>
  );
}
