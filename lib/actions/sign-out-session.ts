'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { db } from '../db';
import { recordAudit } from '../audit';
import { endUserSession, findUserSession, sessionHandle } from '../auth/sessions';
import { userAgentSummary } from '../auth/user-agent';
import { AppError } from '../shared/errors';
import { authedAction, requestOrigin } from './safe-action';

/**
 * Signs out one other session of the signed-in user's (Account → Sessions): its cookie is refused
 * from now on, and that browser is told why on its next page. This session signs out with Sign out.
 */
export const signOutSession = authedAction(
  { name: 'sign-out-session', schema: z.object({ session: z.string().min(1).max(64) }) },
  async (input, { user, session }) => {
    if (input.session === sessionHandle(session.id)) throw new AppError('invalid', 'This is the session you are using. Use Sign out in the user menu instead.');
    // The page names sessions by handle (lib/auth/sessions.ts); only the caller's own are looked at.
    const sessionId = await findUserSession(db, user.id, input.session);
    if (!sessionId) throw new AppError('not_found', 'That session has already ended.');
    const origin = await requestOrigin(user);
    await db.$transaction(async (tx) => {
      // Writes first: only a current session of the caller's own ends, once.
      if (!(await endUserSession(tx, user.id, sessionId))) throw new AppError('not_found', 'That session has already ended.');
      const ended = await tx.userSession.findUniqueOrThrow({ where: { id: sessionId }, select: { userAgent: true, address: true } });
      const described = `${userAgentSummary(ended.userAgent)}${ended.address ? `, ${ended.address}` : ''}`;
      await recordAudit(tx, { action: 'session.signed_out', orgId: null, subjectUserId: user.id, details: { session: described }, origin });
    });
    revalidatePath('/settings/sessions');
    return null;
  },
);
