'use client';

import { useTransition } from 'react';
import toast from 'react-hot-toast';
import { Button } from '@/components/ui/button';
import { markNotificationsRead } from '@/lib/actions/mark-notifications-read';

function useMarkRead() {
  const [pending, startTransition] = useTransition();
  const run = (input: { all: true } | { ids: string[] }, done?: string) =>
    startTransition(async () => {
      const result = await markNotificationsRead(input).catch(() => ({ ok: false as const, error: 'Could not reach the server. Try again.' }));
      if (!result.ok) toast.error(result.error);
      else if (done) toast.success(done);
    });
  return { pending, run };
}

/** Marks one notification read; named after it ("Mark read: API Key 1 of shop regenerated"). */
export function MarkReadButton({ id, title }: { id: string; title: string }) {
  const { pending, run } = useMarkRead();
  return (
    <Button variant="secondary" aria-label={`Mark read: ${title}`} disabled={pending} aria-busy={pending} onClick={() => run({ ids: [id] })}>
      Mark read
    </Button>
  );
}

export function MarkAllReadButton() {
  const { pending, run } = useMarkRead();
  return (
    <Button variant="secondary" disabled={pending} aria-busy={pending} onClick={() => run({ all: true }, 'All notifications marked read')}>
      Mark all as read
    </Button>
  );
}
