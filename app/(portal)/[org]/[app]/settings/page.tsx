import { redirect } from 'next/navigation';

export default async function SettingsPage({ params }: { params: Promise<{ org: string; app: string }> }) {
  const { org, app } = await params;
  redirect(`/${org}/${app}/settings/general`);
}
