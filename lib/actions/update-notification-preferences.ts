'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { db } from '../db';
import { isAlwaysOn, NOTIFICATION_KIND_NAMES } from '../notifications/kinds';
import { AppError } from '../shared/errors';
import { authedAction } from './safe-action';

const choiceSchema = z.object({ inbox: z.boolean(), email: z.boolean() });

/**
 * Saves which kinds of notification the user gets, in the inbox and by email. Kinds that are
 * always on (a key reported leaked) cannot be turned off: a choice for one is refused.
 */
export const updateNotificationPreferences = authedAction(
  {
    name: 'update-notification-preferences',
    schema: z.object({
      choices: z.partialRecord(z.enum(NOTIFICATION_KIND_NAMES, { error: 'Unknown kind of notification.' }), choiceSchema),
    }),
  },
  async (input, { user }) => {
    const entries = Object.entries(input.choices).filter(
      (entry): entry is [(typeof NOTIFICATION_KIND_NAMES)[number], z.output<typeof choiceSchema>] => !!entry[1],
    );
    const fixed = entries.find(([kind]) => isAlwaysOn(kind));
    if (fixed) throw new AppError('invalid', 'This notification is always on: it cannot be turned off.');
    await db.$transaction(
      entries.map(([kind, choice]) =>
        db.notificationPreference.upsert({
          where: { userId_kind: { userId: user.id, kind } },
          create: { userId: user.id, kind, ...choice },
          update: choice,
          select: { kind: true },
        }),
      ),
    );
    revalidatePath('/settings/notifications');
    return null;
  },
);
