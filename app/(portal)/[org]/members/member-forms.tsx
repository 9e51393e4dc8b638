'use client';

import { useRouter } from 'next/navigation';
import { useRef, useState, useTransition, type FormEvent } from 'react';
import toast from 'react-hot-toast';
import { useStepUp } from '@/components/auth/step-up';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { TextField } from '@/components/ui/text-field';
import { leaveOrganization } from '@/lib/actions/leave-organization';
import { addMember, changeMemberRole, removeMember } from '@/lib/actions/members';
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
                {props.name} ({props.email}) loses access to {props.org} and its apps and keys at once. You can add them again later.
              </p>
            </ConfirmDialog>
          ) : null}
        </td>
      ) : null}
    </tr>
  );
}

export function AddMemberForm({ org, callerIsOwner }: { org: string; callerIsOwner: boolean }) {
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | undefined>();

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    form.set('org', org);
    startTransition(async () => {
      const result = await addMember(form);
      if (!result.ok) {
        setError(result.error);
        return;
      }
      setError(undefined);
      formElement.reset();
      toast.success('Member added');
    });
  }

  return (
    <form onSubmit={onSubmit} className="space-y-3" noValidate>
      <TextField label="Email" name="email" type="email" required error={error} />
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
      </div>
      <Button type="submit" disabled={pending} aria-busy={pending}>
        Add member
      </Button>
    </form>
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
          <p>You lose access to {org}, its apps and their keys at once. A member who manages it can add you again.</p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}
