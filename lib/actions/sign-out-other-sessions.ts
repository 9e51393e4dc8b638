'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { db } from '../db';
import { recordAudit } from '../audit';
import { endUserSessions } from '../auth/sessions';
import { authedAction, requestOrigin } from './safe-action';

/** Ends every session of the signed-in user's but this one (Account → Sessions → Sign out everywhere else). */
export const signOutOtherSessions = authedAction({ name: 'sign-out-other-sessions', schema: z.object({}) }, async (_input, { user, session }) => {
  const origin = await requestOrigin(user);
  const ended = await db.$transaction(async (tx) => {
    const count = await endUserSessions(tx, user.id, session.id, 'signed-out-remotely');
    await recordAudit(tx, { action: 'session.signed_out_others', orgId: null, subjectUserId: user.id, details: { sessions: count }, origin });
    return count;
  });
  revalidatePath('/settings/sessions');
  return { ended };
});
