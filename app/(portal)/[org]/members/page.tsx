import type { Metadata } from 'next';
import { Breadcrumbs } from '@/components/portal/breadcrumbs';
import { Card } from '@/components/ui/card';
import { orgPageMetadata, requireOrg } from '@/lib/auth/guards';
import { can, OWNER_RULES, REFUSALS } from '@/lib/auth/permissions';
import { listMembers } from '@/lib/data/orgs';
import { AddMemberForm, LeaveOrganizationButton, MemberRow } from './member-forms';

export async function generateMetadata({ params }: { params: Promise<{ org: string }> }): Promise<Metadata> {
  return orgPageMetadata((await params).org, 'Members');
}

export default async function MembersPage({ params }: { params: Promise<{ org: string }> }) {
  const { access, user } = await requireOrg((await params).org);
  const { org } = access;
  const members = await listMembers(access);
  const manager = can(access.role, 'member:manage');
  const callerIsOwner = can(access.role, 'member:grant-owner');
  // Actions that cannot succeed are not offered: the only owner can be neither demoted nor removed, nor leave.
  const owners = members.filter((member) => member.role === 'owner').length;
  const soleOwner = (role: string) => role === 'owner' && owners === 1;
  return (
    <main className="space-y-6">
      <Breadcrumbs items={[{ label: org.name, href: `/${org.name}` }, { label: 'Members' }]} />
      <h1 className="text-2xl font-semibold">Members</h1>
      <table className="w-full overflow-hidden rounded-lg border border-slate-200 bg-white text-left text-sm shadow-sm">
        <thead className="bg-slate-100 text-slate-700">
          <tr>
            <th scope="col" className="px-4 py-2 font-medium">
              Name
            </th>
            <th scope="col" className="px-4 py-2 font-medium">
              Email
            </th>
            <th scope="col" className="px-4 py-2 font-medium">
              Role
            </th>
            {manager ? (
              <th scope="col" className="px-4 py-2 font-medium">
                Actions
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {members.map((member) => (
            <MemberRow
              key={member.id}
              org={org.name}
              membershipId={member.id}
              name={member.user.name}
              email={member.user.email}
              role={member.role}
              isSelf={member.user.id === user.id}
              editable={manager && (callerIsOwner || member.role !== 'owner') && !soleOwner(member.role)}
              removable={manager && (callerIsOwner || member.role !== 'owner') && !soleOwner(member.role) && member.user.id !== user.id}
              note={manager && soleOwner(member.role) ? OWNER_RULES.soleOwnerRow : null}
              manager={manager}
              callerIsOwner={callerIsOwner}
            />
          ))}
        </tbody>
      </table>
      {manager ? (
        <Card id="add-member-heading" title="Add a member" intro="They need an account on this portal first." className="max-w-lg">
          <AddMemberForm org={org.name} callerIsOwner={callerIsOwner} />
        </Card>
      ) : (
        <p className="text-sm text-slate-700">{REFUSALS['member:manage']}</p>
      )}
      <section aria-labelledby="leave-heading" className="max-w-lg space-y-3 rounded-lg border border-red-300 bg-white p-6 shadow-sm">
        <h2 id="leave-heading" className="text-lg font-semibold">
          Leave organization
        </h2>
        {soleOwner(access.role) ? (
          <p className="text-sm text-slate-700">{OWNER_RULES.soleOwnerLeaving}</p>
        ) : (
          <>
            <p className="text-sm text-slate-700">You lose access to {org.name}, its apps and their keys at once.</p>
            <LeaveOrganizationButton org={org.name} />
          </>
        )}
      </section>
    </main>
  );
}
