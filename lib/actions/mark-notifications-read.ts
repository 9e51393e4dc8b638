'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { db } from '../db';
import { authedAction } from './safe-action';

/**
 * Marks the user's notifications read: the ones named, or all of them with `all: true`. Only the
 * caller's own rows are touched; an id of someone else's changes nothing. Answers how many changed.
 */
export const markNotificationsRead = authedAction(
  {
    name: 'mark-notifications-read',
    schema: z.union([z.object({ all: z.literal(true) }), z.object({ ids: z.array(z.string().min(1).max(64)).min(1).max(100) })]),
  },
  async (input, { user }) => {
    const { count } = await db.notification.updateMany({
      where: { userId: user.id, readAt: null, ...('ids' in input ? { id: { in: input.ids } } : {}) },
      data: { readAt: new Date() },
    });
    // The bell in the portal's header counts them.
    revalidatePath('/', 'layout');
    return { marked: count };
  },
);
