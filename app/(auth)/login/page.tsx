import type { Metadata } from 'next';
import { isSignedOutReason, SIGN_IN_ERRORS, SIGNED_OUT_REASONS } from '@/lib/auth/messages';
import { githubSignInEnabled } from '@/lib/auth/options';
import { pendingSecondStep } from '@/lib/auth/second-step-cookie';
import { safeCallbackUrl } from '@/lib/shared/http/requested-path';
import { LoginForm } from './login-form';

export const metadata: Metadata = { title: 'Sign in' };

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  // After GitHub, for an account with two-factor authentication: the ticket its cookie holds
  // (lib/auth/second-step-cookie.ts), or, once that is gone, why the visitor starts over.
  const secondStep = params.step === 'second-factor';
  const pending = secondStep ? await pendingSecondStep() : null;
  const expired = secondStep && !pending ? SIGN_IN_ERRORS.expired : null;
  // Only a known code reaches the page's words: the text itself never comes from the URL.
  const notice = expired ?? (isSignedOutReason(params.reason) ? SIGNED_OUT_REASONS[params.reason] : null);
  return <LoginForm callbackUrl={safeCallbackUrl(params.callbackUrl)} github={githubSignInEnabled()} notice={notice} secondStep={pending} />;
}
