'use client';

import { useRouter } from 'next/navigation';
import { useRef, useState } from 'react';
import toast from 'react-hot-toast';
import { useStepUp } from '@/components/auth/step-up';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { deleteWebhookEndpoint } from '@/lib/actions/delete-webhook-endpoint';
import { rotateWebhookSecret } from '@/lib/actions/rotate-webhook-secret';
import { resendWebhookDelivery } from '@/lib/actions/resend-webhook-delivery';
import { sendTestWebhook } from '@/lib/actions/send-test-webhook';
import { updateWebhookEndpoint } from '@/lib/actions/update-webhook-endpoint';
import { ActionButton } from '../action-button';
import { SigningSecret } from '../signing-secret';

type Props = { org: string; endpointId: string };

export function SendTestButton({ org, endpointId, disabled }: Props & { disabled: boolean }) {
  return (
    <ActionButton
      run={() => sendTestWebhook({ org, endpointId })}
      success={() => 'Test event queued: it appears in the delivery log once sent'}
      busyLabel="Queueing…"
      disabled={disabled}
    >
      Send test event
    </ActionButton>
  );
}

export function EnableButton({ org, endpointId, enabled }: Props & { enabled: boolean }) {
  return (
    <ActionButton
      run={() => updateWebhookEndpoint({ org, endpointId, enabled: enabled ? 'false' : 'true' })}
      success={(data) => (data.enabled ? 'Endpoint enabled' : 'Endpoint disabled')}
      busyLabel={enabled ? 'Disabling…' : 'Enabling…'}
    >
      {enabled ? 'Disable' : 'Enable'}
    </ActionButton>
  );
}

/** Queues a delivery again; the log shows the new attempt once the worker has sent it. */
export function ResendButton({ org, deliveryId, label, disabled }: { org: string; deliveryId: string; label: string; disabled: boolean }) {
  return (
    <ActionButton
      run={() => resendWebhookDelivery({ org, deliveryId })}
      success={(data) => `${data.eventType} queued again`}
      busyLabel="Queueing…"
      disabled={disabled}
      label={label}
    >
      Resend
    </ActionButton>
  );
}

export function RotateSecretButton({ org, endpointId }: Props) {
  const [open, setOpen] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const stepUp = useStepUp();
  return (
    <div className="space-y-3">
      {secret ? <SigningSecret secret={secret} onDone={() => setSecret(null)} /> : null}
      <Button ref={buttonRef} variant="secondary" onClick={() => setOpen(true)}>
        Rotate secret
      </Button>
      {open ? (
        <ConfirmDialog
          title="Rotate the signing secret?"
          confirmLabel="Rotate secret"
          busyLabel="Rotating…"
          onClose={() => {
            setOpen(false);
            buttonRef.current?.focus();
          }}
          onConfirm={async () => {
            const result = await stepUp(() => rotateWebhookSecret({ org, endpointId }));
            if (result.ok) {
              setSecret(result.data.secret);
              toast.success('Signing secret rotated');
            } else toast.error(result.error);
          }}
        >
          <p>Deliveries are signed with a new secret from now on: the receiver must verify with it. The old secret stops verifying at once.</p>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}

export function DeleteEndpointButton({ org, endpointId, url }: Props & { url: string }) {
  const [open, setOpen] = useState(false);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const router = useRouter();
  return (
    <>
      <Button ref={buttonRef} variant="danger" onClick={() => setOpen(true)}>
        Delete endpoint
      </Button>
      {open ? (
        <ConfirmDialog
          title="Delete this endpoint?"
          confirmLabel="Delete endpoint"
          busyLabel="Deleting…"
          onClose={() => {
            setOpen(false);
            buttonRef.current?.focus();
          }}
          onConfirm={async () => {
            const result = await deleteWebhookEndpoint({ org, endpointId });
            if (result.ok) {
              toast.success('Endpoint deleted');
              router.push(`/${org}/settings/webhooks`);
            } else toast.error(result.error);
          }}
        >
          <p className="break-all">{url} receives no more events, and its delivery log is deleted.</p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}
