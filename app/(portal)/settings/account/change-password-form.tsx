'use client';

import { useState, type FormEvent } from 'react';
import toast from 'react-hot-toast';
import { Button } from '@/components/ui/button';
import { TextField } from '@/components/ui/text-field';
import { changePassword } from '@/lib/actions/change-password';

export function ChangePasswordForm() {
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    setPending(true);
    setError(null);
    setFieldErrors({});
    const result = await changePassword(new FormData(form)).catch(() => ({ ok: false as const, error: 'Could not reach the server. Try again.' }));
    setPending(false);
    if (!result.ok) {
      setError(result.error);
      setFieldErrors('fieldErrors' in result ? (result.fieldErrors ?? {}) : {});
      return;
    }
    form.reset();
    const others = result.data.otherSessionsEnded;
    toast.success(`Password changed.${others ? ` Signed out of ${others} other session${others === 1 ? '' : 's'}.` : ''}`);
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      <TextField
        label="Current password"
        name="currentPassword"
        type="password"
        autoComplete="current-password"
        required
        error={fieldErrors.currentPassword?.[0]}
      />
      <TextField
        label="New password"
        name="newPassword"
        type="password"
        autoComplete="new-password"
        required
        minLength={8}
        hint="At least 8 characters."
        error={fieldErrors.newPassword?.[0]}
      />
      {error ? (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
          {error}
        </p>
      ) : null}
      <Button type="submit" disabled={pending} aria-busy={pending}>
        {pending ? 'Changing…' : 'Change password'}
      </Button>
    </form>
  );
}
