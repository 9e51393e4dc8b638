import type { Metadata } from 'next';
import { Breadcrumbs } from '@/components/portal/breadcrumbs';
import { Card } from '@/components/ui/card';
import { DataTable } from '@/components/ui/data-table';
import { orgPageMetadata, requireOrg } from '@/lib/auth/guards';
import { grantIf, REFUSALS } from '@/lib/auth/permissions';
import { membersWithoutTwoFactor, requiresTwoFactor } from '@/lib/data/orgs';
import { TwoFactorPolicyForm } from './two-factor-policy-form';

export async function generateMetadata({ params }: { params: Promise<{ org: string }> }): Promise<Metadata> {
  return orgPageMetadata((await params).org, 'Security');
}

export default async function OrgSecurityPage({ params }: { params: Promise<{ org: string }> }) {
  const { access } = await requireOrg((await params).org);
  const owner = grantIf(access, 'org:security') !== null;
  // Who has no second factor is for the owners who set the policy: to anyone else it is a list of
  // the accounts easiest to take over.
  const [required, without] = await Promise.all([requiresTwoFactor(access), owner ? membersWithoutTwoFactor(access) : Promise.resolve([])]);
  const org = access.org.name;
  return (
    <main className="space-y-4">
      <Breadcrumbs items={[{ label: org, href: `/${org}` }, { label: 'Settings' }, { label: 'Security', separator: '›' }]} />
      <h1 className="text-2xl font-semibold">Security</h1>
      <Card
        id="require-two-factor-heading"
        title="Require two-factor authentication"
        className="max-w-3xl"
        intro={
          required
            ? `On: every member of ${org} signs in with a second factor: an authenticator app or a passkey. A member without one is sent to set it up before opening ${org}, and their personal access tokens are refused here.`
            : `Off. When it is on, members without two-factor authentication (an authenticator app or a passkey) cannot open ${org} or use their personal access tokens on it until they set it up; their other organizations are not affected.`
        }
      >
        {owner ? (
          <section aria-labelledby="affected-heading" className="space-y-2">
            <h3 id="affected-heading" className="font-semibold">
              {required ? 'Members shut out until they set it up' : 'Members it would affect'}
            </h3>
            {without.length === 0 ? (
              <p className="text-sm text-slate-700">Every member has two-factor authentication on.</p>
            ) : (
              <DataTable label="Members without two-factor authentication" headings={['Name', 'Email', 'Role']}>
                {without.map((member) => (
                  <tr key={member.id} className="border-t border-slate-200">
                    <th scope="row" className="px-3 py-2 font-medium">
                      {member.user.name}
                    </th>
                    <td className="px-3 py-2">{member.user.email}</td>
                    <td className="px-3 py-2">{member.role}</td>
                  </tr>
                ))}
              </DataTable>
            )}
          </section>
        ) : null}
        {owner ? (
          <TwoFactorPolicyForm org={org} required={required} affected={without.length} />
        ) : (
          <p className="text-sm text-slate-700">{REFUSALS['org:security']}</p>
        )}
      </Card>
    </main>
  );
}
