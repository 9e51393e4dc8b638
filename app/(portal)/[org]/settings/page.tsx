import { redirect } from 'next/navigation';

export default async function OrgSettingsPage({ params }: { params: Promise<{ org: string }> }) {
  redirect(`/${(await params).org}/settings/security`);
}
