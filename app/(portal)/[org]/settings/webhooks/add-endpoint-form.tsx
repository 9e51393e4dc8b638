'use client';

import { useState } from 'react';
import toast from 'react-hot-toast';
import { useStepUp } from '@/components/auth/step-up';
import { Button } from '@/components/ui/button';
import { FormError } from '@/components/ui/form-error';
import { TextField } from '@/components/ui/text-field';
import { useActionForm } from '@/components/ui/use-action-form';
import { createWebhookEndpoint } from '@/lib/actions/create-webhook-endpoint';
import { SigningSecret } from './signing-secret';

/** Add endpoint: URL, description, the events it wants. The new endpoint's signing secret is shown once. */
export function AddEndpointForm({ org, events }: { org: string; events: { type: string; label: string }[] }) {
  const [secret, setSecret] = useState<string | null>(null);
  const stepUp = useStepUp();
  const { pending, fieldErrors, formError, onSubmit } = useActionForm(
    (input: FormData) => stepUp(() => createWebhookEndpoint(input)),
    (data, form) => {
      setSecret(data.secret);
      form.reset();
      toast.success('Endpoint added');
    },
    (form) => {
      form.set('org', org);
      // Checkboxes send one value each: the action takes them joined.
      form.set('events', form.getAll('event').join(' '));
      form.delete('event');
    },
  );
  return (
    <div className="space-y-4">
      {secret ? <SigningSecret secret={secret} onDone={() => setSecret(null)} /> : null}
      <form onSubmit={onSubmit} className="space-y-4" noValidate>
        <TextField label="URL" name="url" type="url" required maxLength={2000} placeholder="https://hooks.example.com/spice" error={fieldErrors.url?.[0]} />
        <TextField label="Description (optional)" name="description" maxLength={200} error={fieldErrors.description?.[0]} />
        <fieldset className="space-y-2" aria-describedby={fieldErrors.events ? 'events-error' : undefined}>
          <legend className="text-sm font-medium text-slate-800">Events</legend>
          <div className="grid gap-1 sm:grid-cols-2">
            {events.map((event) => (
              <label key={event.type} className="flex items-start gap-2 text-sm">
                <input type="checkbox" name="event" value={event.type} defaultChecked className="mt-1" />
                <span>
                  <span className="font-mono">{event.type}</span> <span className="text-slate-600">— {event.label}</span>
                </span>
              </label>
            ))}
          </div>
          {fieldErrors.events ? (
            <p id="events-error" className="text-sm text-red-700">
              {fieldErrors.events[0]}
            </p>
          ) : null}
        </fieldset>
        <FormError message={formError} />
        <Button type="submit" disabled={pending} aria-busy={pending}>
          {pending ? 'Adding…' : 'Add endpoint'}
        </Button>
      </form>
    </div>
  );
}
