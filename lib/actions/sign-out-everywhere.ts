'use server';

import { z } from 'zod';
import { db } from '../db';
import { recordAudit } from '../audit';
import { endUserSessions } from '../auth/sessions';
import { authedAction, requestOrigin } from './safe-action';

/**
 * Ends every session of the signed-in user, this one included: every browser where they are
 * signed in is signed out on its next request, and told why. The user menu then clears this
 * browser's cookie.
 */
export const signOutEverywhere = authedAction({ name: 'sign-out-everywhere', schema: z.object({}) }, async (_input, { user }) => {
  const origin = await requestOrigin(user);
  const ended = await db.$transaction(async (tx) => {
    const count = await endUserSessions(tx, user.id, undefined, 'signed-out-everywhere');
    await recordAudit(tx, { action: 'session.signed_out_everywhere', orgId: null, subjectUserId: user.id, details: { sessions: count }, origin });
    return count;
  });
  return { ended };
});
