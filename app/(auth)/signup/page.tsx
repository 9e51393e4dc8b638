import type { Metadata } from 'next';
import { safeCallbackUrl } from '@/lib/shared/http/requested-path';
import { SignupForm } from './signup-form';

export const metadata: Metadata = { title: 'Create account' };

export default async function SignupPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  return <SignupForm callbackUrl={safeCallbackUrl((await searchParams).callbackUrl)} />;
}
