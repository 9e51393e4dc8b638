'use server';

import { z } from 'zod';
import { db } from '../db';
import { endUserSessions } from '../auth/sessions';
import { authedAction } from './safe-action';

/**
 * Ends every session of the signed-in user, this one included: every browser where they are
 * signed in is signed out on its next request. The user menu then clears this browser's cookie.
 */
export const signOutEverywhere = authedAction({ name: 'sign-out-everywhere', schema: z.object({}) }, async (_input, { user }) => {
  return { ended: await endUserSessions(db, user.id) };
});
