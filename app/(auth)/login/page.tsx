import type { Metadata } from 'next';
import { SIGN_IN_ERRORS } from '@/lib/auth/messages';
import { githubSignInEnabled } from '@/lib/auth/options';
import { safeCallbackUrl } from '@/lib/shared/http/requested-path';
import { LoginForm } from './login-form';

export const metadata: Metadata = { title: 'Sign in' };

/** Why next-auth sent the browser back here, for the errors worth explaining. */
const NOTICES: Record<string, string> = { TwoFactorGitHub: SIGN_IN_ERRORS.githubWithSecondFactor };

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const notice = typeof params.error === 'string' ? (NOTICES[params.error] ?? null) : null;
  return <LoginForm callbackUrl={safeCallbackUrl(params.callbackUrl)} github={githubSignInEnabled()} notice={notice} />;
}
