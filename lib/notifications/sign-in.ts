import 'server-only';
import type { Db } from '../prisma';
import { isNewSignInContext, type SignInContext } from '../auth/sessions';
import { userAgentSummary } from '../auth/user-agent';
import { logUnexpected } from '../shared/errors';
import { notify } from './notify';

/**
 * After a sign-in has started session `sessionId`: tells the user when it came from a browser
 * or an address their account had not used (lib/auth/sessions.ts isNewSignInContext). The inbox
 * row is written now and the email queued for the outbox worker; a failure here is logged and
 * never fails the sign-in.
 */
export async function noteSignIn(db: Db, userId: string, sessionId: string, context: SignInContext): Promise<void> {
  try {
    if (!(await isNewSignInContext(db, userId, context.userAgent, context.address, sessionId))) return;
    const ip = context.address && context.address !== 'unknown' ? context.address : undefined;
    await notify(db, { kind: 'sign_in.new', userIds: [userId], facts: { browser: userAgentSummary(context.userAgent), ...(ip ? { ip } : {}) } });
  } catch (error) {
    logUnexpected('sign-in notification', error);
  }
}
