'use client';

import { useRouter } from 'next/navigation';
import { useId, useRef, useState, useTransition, type FormEvent } from 'react';
import toast from 'react-hot-toast';
import { useStepUp } from '@/components/auth/step-up';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { FormError } from '@/components/ui/form-error';
import { TextField } from '@/components/ui/text-field';
import { useActionForm } from '@/components/ui/use-action-form';
import { CopyButton } from '@/components/keys/copy-button';
import { leaveOrganization } from '@/lib/actions/leave-organization';
import { inviteMember, resendInvitation, revokeInvitation } from '@/lib/actions/invitations';
import { changeMemberRole, removeMember } from '@/lib/actions/members';
import { ROLES } from '@/lib/auth/permissions';

function RoleSelect({ id, label, defaultValue, callerIsOwner }: { id: string; label: string; defaultValue: string; callerIsOwner: boolean }) {
  return (
    <>
      <label htmlFor={id} className="sr-only">
        {label}
      </label>
      <select
        id={id}
        name="role"
        defaultValue={defaultValue}
        className="rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm focus:outline-2 focus:outline-indigo-600"
      >
        {ROLES.filter((role) => callerIsOwner || role !== 'owner' || role === defaultValue).map((role) => (
          <option key={role} value={role}>
            {role}
          </option>
        ))}
      </select>
    </>
  );
}

export function MemberRow(props: {
  org: string;
  membershipId: string;
  name: string;
  email: string;
  role: string;
  isSelf: boolean;
  /** The caller may change this member's role. */
  editable: boolean;
  /** The caller may remove this member (never themselves: they leave instead). */
  removable: boolean;
  /** Why nothing can be done to this row, where it helps to say (the only owner). */
  note: string | null;
  manager: boolean;
  callerIsOwner: boolean;
}) {
  const [pending, startTransition] = useTransition();
  const stepUp = useStepUp();
  const [confirming, setConfirming] = useState(false);
  const removeRef = useRef<HTMLButtonElement>(null);

  function onChangeRole(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    startTransition(async () => {
      const result = await stepUp(() => changeMemberRole({ org: props.org, membershipId: props.membershipId, role: form.get('role') }));
      if (result.ok) toast.success(`${props.name} is now ${String(form.get('role'))}`);
      else toast.error(result.error);
    });
  }

  return (
    <tr className="border-t border-slate-200">
      <td className="px-4 py-2">
        {props.name}
        {props.isSelf ? <span className="text-slate-600"> (you)</span> : null}
      </td>
      <td className="px-4 py-2">{props.email}</td>
      <td className="px-4 py-2">
        {props.editable ? (
          <form onSubmit={onChangeRole} className="flex items-center gap-2">
            <RoleSelect id={`role-${props.membershipId}`} label={`Role of ${props.name}`} defaultValue={props.role} callerIsOwner={props.callerIsOwner} />
            <Button type="submit" variant="secondary" disabled={pending}>
              Save<span className="sr-only"> role of {props.name}</span>
            </Button>
          </form>
        ) : (
          props.role
        )}
        {props.note ? <span className="mt-1 block text-xs text-slate-600">{props.note}</span> : null}
      </td>
      {props.manager ? (
        <td className="px-4 py-2">
          {props.removable ? (
            <Button ref={removeRef} variant="secondary" onClick={() => setConfirming(true)} disabled={pending} aria-label={`Remove ${props.name}`}>
              Remove
            </Button>
          ) : null}
          {props.isSelf ? <span className="text-xs text-slate-600">Leave the organization below.</span> : null}
          {confirming ? (
            <ConfirmDialog
              title={`Remove ${props.name}?`}
              confirmLabel="Remove"
              busyLabel="Removing…"
              onClose={() => {
                setConfirming(false);
                removeRef.current?.focus();
              }}
              onConfirm={async () => {
                const result = await stepUp(() => removeMember({ org: props.org, membershipId: props.membershipId }));
                if (result.ok) toast.success(`${props.name} removed`);
                else toast.error(result.error);
              }}
            >
              <p>
                {props.name} ({props.email}) loses access to {props.org} and its apps and keys at once. You can invite them again later.
              </p>
            </ConfirmDialog>
          ) : null}
        </td>
      ) : null}
    </tr>
  );
}

/** A new invitation link, shown once: the inviter copies it and sends it to the invitee. */
function InvitationLink({ link, onDone }: { link: { url: string; email: string }; onDone: () => void }) {
  const id = useId();
  return (
    <div role="region" aria-label="Invitation link" className="space-y-2 rounded-md border border-amber-300 bg-amber-50 p-4">
      <p className="text-sm font-medium text-amber-900">
        Copy the invitation link for {link.email} now and send it to them. It cannot be shown again, works once, and expires in 7 days.
      </p>
      <div className="flex flex-wrap items-center gap-2">
        <label htmlFor={id} className="sr-only">
          Invitation link for {link.email}
        </label>
        <input
          id={id}
          readOnly
          value={link.url}
          onFocus={(event) => event.currentTarget.select()}
          className="min-w-0 flex-1 rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-sm"
        />
        <CopyButton what="invitation link" text={() => link.url} />
        <Button variant="secondary" onClick={onDone}>
          Done
        </Button>
      </div>
    </div>
  );
}

type NewLink = { url: string; email: string } | null;
const linkFrom = (data: { path: string; email: string }) => ({ url: `${window.location.origin}${data.path}`, email: data.email });

export function InviteMemberForm({ org, callerIsOwner }: { org: string; callerIsOwner: boolean }) {
  const [link, setLink] = useState<NewLink>(null);
  const stepUp = useStepUp();
  const { pending, fieldErrors, formError, onSubmit } = useActionForm(
    (input: FormData) => stepUp(() => inviteMember(input)),
    (data, form) => {
      setLink(linkFrom(data));
      form.reset();
      toast.success(`Invitation for ${data.email} created`);
    },
    (form) => form.set('org', org),
  );

  return (
    <div className="space-y-4">
      {link ? <InvitationLink link={link} onDone={() => setLink(null)} /> : null}
      <form onSubmit={onSubmit} className="space-y-3" noValidate>
        <TextField label="Email" name="email" type="email" required autoComplete="off" error={fieldErrors.email?.[0]} />
        <div className="space-y-1">
          <label htmlFor="new-member-role" className="block text-sm font-medium text-slate-800">
            Role
          </label>
          <select
            id="new-member-role"
            name="role"
            defaultValue="member"
            className="rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm focus:outline-2 focus:outline-indigo-600"
          >
            {ROLES.filter((role) => callerIsOwner || role !== 'owner').map((role) => (
              <option key={role} value={role}>
                {role}
              </option>
            ))}
          </select>
          {fieldErrors.role ? <p className="text-sm text-red-700">{fieldErrors.role[0]}</p> : null}
        </div>
        <FormError message={formError} />
        <Button type="submit" disabled={pending} aria-busy={pending}>
          {pending ? 'Inviting…' : 'Invite member'}
        </Button>
      </form>
    </div>
  );
}

/** Resend (a new link, shown once; the old one stops working) and Revoke, for one pending invitation. */
export function InvitationActions({ org, invitationId, email }: { org: string; invitationId: string; email: string }) {
  const [link, setLink] = useState<NewLink>(null);
  const [pending, startTransition] = useTransition();
  const [confirming, setConfirming] = useState(false);
  const revokeRef = useRef<HTMLButtonElement>(null);
  const stepUp = useStepUp();

  function resend() {
    startTransition(async () => {
      const result = await stepUp(() => resendInvitation({ org, invitationId }));
      if (!result.ok) {
        toast.error(result.error);
        return;
      }
      setLink(linkFrom(result.data));
      toast.success(`New invitation link for ${email} created`);
    });
  }

  return (
    <div className="space-y-2">
      <div className="flex flex-wrap gap-2">
        <Button variant="secondary" onClick={resend} disabled={pending} aria-busy={pending} aria-label={`Resend the invitation to ${email}`}>
          Resend
        </Button>
        <Button ref={revokeRef} variant="secondary" onClick={() => setConfirming(true)} disabled={pending} aria-label={`Revoke the invitation to ${email}`}>
          Revoke
        </Button>
      </div>
      {link ? <InvitationLink link={link} onDone={() => setLink(null)} /> : null}
      {confirming ? (
        <ConfirmDialog
          title={`Revoke the invitation to ${email}?`}
          confirmLabel="Revoke"
          busyLabel="Revoking…"
          onClose={() => {
            setConfirming(false);
            revokeRef.current?.focus();
          }}
          onConfirm={async () => {
            const result = await revokeInvitation({ org, invitationId });
            if (result.ok) toast.success(`Invitation to ${email} revoked`);
            else toast.error(result.error);
          }}
        >
          <p>Its link stops working at once. You can invite {email} again later.</p>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}

/** Leave organization, behind a confirmation; afterwards the portal opens another organization of the user's. */
export function LeaveOrganizationButton({ org }: { org: string }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const left = useRef(false);
  return (
    <>
      <Button ref={buttonRef} variant="danger" onClick={() => setOpen(true)}>
        Leave organization
      </Button>
      {open ? (
        <ConfirmDialog
          title={`Leave ${org}?`}
          confirmLabel="Leave organization"
          busyLabel="Leaving…"
          onClose={() => {
            setOpen(false);
            if (!left.current) buttonRef.current?.focus();
          }}
          onConfirm={async () => {
            const result = await leaveOrganization({ org });
            if (result.ok) {
              left.current = true;
              toast.success(`You left ${org}`);
              router.push('/');
            } else {
              toast.error(result.error);
            }
          }}
        >
          <p>You lose access to {org}, its apps and their keys at once. A member who manages it can invite you again.</p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}
