'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { db } from '../db';
import { cancelEnrollment } from '../auth/two-factor';
import { authedAction } from './safe-action';

/** Drops an authenticator app that was set up but never confirmed. A confirmed one is not touched. */
export const cancelTwoFactorSetup = authedAction({ name: 'cancel-two-factor-setup', schema: z.object({}) }, async (_input, { user }) => {
  await cancelEnrollment(db, user.id);
  revalidatePath('/settings/security');
  return null;
});
