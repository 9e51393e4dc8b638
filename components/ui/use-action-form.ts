'use client';

import { useState, useTransition, type FormEvent } from 'react';
import type { ActionResult } from '@/lib/actions/safe-action';

/**
 * A form that sends its FormData to a server action: busy while it runs, the action's message per
 * field (`fieldErrors`), or, when no field is to blame, one message for the form (`formError`);
 * `onSuccess` gets the answer and the form. `prepare` adds values the form does not show (ids).
 */
export function useActionForm<T>(
  action: (input: FormData) => Promise<ActionResult<T>>,
  onSuccess: (data: T, form: HTMLFormElement) => void,
  prepare?: (form: FormData) => void,
) {
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    prepare?.(form);
    startTransition(async () => {
      const result = await action(form);
      if (!result.ok) {
        setError(result.error);
        setFieldErrors(result.fieldErrors ?? {});
        return;
      }
      setError(null);
      setFieldErrors({});
      onSuccess(result.data, formElement);
    });
  }

  const formError = error && Object.keys(fieldErrors).length === 0 ? error : null;
  return { pending, fieldErrors, formError, onSubmit };
}
