import type { Metadata } from 'next';
import { githubSignInEnabled } from '@/lib/auth/options';
import { safeCallbackUrl } from '@/lib/shared/http/requested-path';
import { LoginForm } from './login-form';

export const metadata: Metadata = { title: 'Sign in' };

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  return <LoginForm callbackUrl={safeCallbackUrl(params.callbackUrl)} github={githubSignInEnabled()} />;
}
