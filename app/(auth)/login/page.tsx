import type { Metadata } from 'next';
import { isSignedOutReason, SIGN_IN_ERRORS, SIGNED_OUT_REASONS } from '@/lib/auth/messages';
import { githubSignInEnabled } from '@/lib/auth/options';
import { safeCallbackUrl } from '@/lib/shared/http/requested-path';
import { LoginForm } from './login-form';

export const metadata: Metadata = { title: 'Sign in' };

/** Why next-auth sent the browser back here (`?error=`), for the errors worth explaining. */
const ERROR_NOTICES: Record<string, string> = { TwoFactorGitHub: SIGN_IN_ERRORS.githubWithSecondFactor };

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  // Only a known code reaches the page's words: the text itself never comes from the URL.
  const refused = typeof params.error === 'string' && Object.hasOwn(ERROR_NOTICES, params.error) ? ERROR_NOTICES[params.error]! : null;
  const notice = refused ?? (isSignedOutReason(params.reason) ? SIGNED_OUT_REASONS[params.reason] : null);
  return <LoginForm callbackUrl={safeCallbackUrl(params.callbackUrl)} github={githubSignInEnabled()} notice={notice} />;
}
