'use client';

import { useTransition } from 'react';
import toast from 'react-hot-toast';
import { Button } from '@/components/ui/button';
import type { ActionResult } from '@/lib/actions/safe-action';

/** A button that runs one action: busy while it runs, then a toast with its success or its refusal. */
export function ActionButton<T>({
  run,
  success,
  children,
  busyLabel,
  disabled = false,
  label,
}: {
  run: () => Promise<ActionResult<T>>;
  success: (data: T) => string;
  children: string;
  busyLabel: string;
  disabled?: boolean;
  label?: string;
}) {
  const [pending, startTransition] = useTransition();
  return (
    <Button
      variant="secondary"
      aria-label={label}
      disabled={pending || disabled}
      aria-busy={pending}
      onClick={() =>
        startTransition(async () => {
          const result = await run();
          if (result.ok) toast.success(success(result.data));
          else toast.error(result.error);
        })
      }
    >
      {pending ? busyLabel : children}
    </Button>
  );
}
