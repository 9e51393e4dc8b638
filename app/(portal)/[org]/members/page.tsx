import type { Metadata } from 'next';
import { Breadcrumbs } from '@/components/portal/breadcrumbs';
import { Card } from '@/components/ui/card';
import { orgPageMetadata, requireOrg } from '@/lib/auth/guards';
import { DataTable } from '@/components/ui/data-table';
import { RelativeTime } from '@/components/ui/relative-time';
import { can, OWNER_RULES, REFUSALS, ROLE_ABILITIES, ROLES } from '@/lib/auth/permissions';
import { listOrgInvitations } from '@/lib/data/invitations';
import { listMembers } from '@/lib/data/orgs';
import { InvitationActions, InviteMemberForm, LeaveOrganizationButton, MemberRow } from './member-forms';

export async function generateMetadata({ params }: { params: Promise<{ org: string }> }): Promise<Metadata> {
  return orgPageMetadata((await params).org, 'Members');
}

export default async function MembersPage({ params }: { params: Promise<{ org: string }> }) {
  const { access, user } = await requireOrg((await params).org);
  const { org } = access;
  const [members, invitations] = await Promise.all([listMembers(access), listOrgInvitations(access)]);
  const now = new Date();
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
        <Card
          id="invite-member-heading"
          title="Invite a member"
          intro="You get a link to send them. They join with the role you choose once they accept, signed in with this email address (or after creating an account with it). The link works once, for 7 days."
          className="max-w-xl"
        >
          <InviteMemberForm org={org.name} callerIsOwner={callerIsOwner} />
        </Card>
      ) : (
        <p className="text-sm text-slate-700">{REFUSALS['member:manage']}</p>
      )}
      <section aria-labelledby="invitations-heading" className="space-y-3">
        <h2 id="invitations-heading" className="text-lg font-semibold">
          Pending invitations
        </h2>
        {invitations.length === 0 ? (
          <p className="text-sm text-slate-700">No pending invitations.</p>
        ) : (
          <DataTable label="Pending invitations table" headings={['Email', 'Role', 'Invited by', 'Expires', ...(manager ? ['Actions'] : [])]}>
            {invitations.map((invitation) => (
              <tr key={invitation.id} className="border-t border-slate-200 align-top">
                <th scope="row" className="px-3 py-2 font-medium">
                  {invitation.email}
                </th>
                <td className="px-3 py-2">{invitation.role}</td>
                <td className="px-3 py-2">{invitation.invitedBy?.name ?? 'A former user'}</td>
                <td className="px-3 py-2">
                  {invitation.expiresAt <= now ? (
                    <RelativeTime date={invitation.expiresAt} now={now} prefix="Expired " />
                  ) : (
                    <RelativeTime date={invitation.expiresAt} now={now} />
                  )}
                </td>
                {manager ? (
                  <td className="px-3 py-2">
                    {callerIsOwner || invitation.role !== 'owner' ? (
                      <InvitationActions org={org.name} invitationId={invitation.id} email={invitation.email} />
                    ) : (
                      <span className="text-xs text-slate-600">{REFUSALS['member:grant-owner']}</span>
                    )}
                  </td>
                ) : null}
              </tr>
            ))}
          </DataTable>
        )}
      </section>
      <section aria-labelledby="roles-heading" className="space-y-3">
        <h2 id="roles-heading" className="text-lg font-semibold">
          What each role may do
        </h2>
        <DataTable label="Roles table" headings={['Each role may', ...ROLES]}>
          {ROLE_ABILITIES.map((ability) => (
            <tr key={ability.permission} className="border-t border-slate-200">
              <th scope="row" className="px-3 py-2 font-normal">
                {ability.may[0]!.toUpperCase() + ability.may.slice(1)}
              </th>
              {ROLES.map((role) => (
                <td key={role} className="px-3 py-2">
                  {can(role, ability.permission) ? 'Yes' : 'No'}
                </td>
              ))}
            </tr>
          ))}
        </DataTable>
      </section>
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
