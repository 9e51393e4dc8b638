'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { createAppIn } from '../data/app-changes';
import { appDescriptionSchema, appNameSchema } from '../names';
import { authedAction, requestOrigin } from './safe-action';

const createAppSchema = z.object({
  org: z.string().min(1).max(64),
  name: appNameSchema,
  description: appDescriptionSchema.optional().default(''),
});

/** Creates an app with both of its API keys (lib/data/app-changes.ts createAppIn, as POST /v1/apps does). */
export const createApp = authedAction(
  { name: 'create-app', schema: createAppSchema, permission: 'app:create', org: (input) => ({ name: input.org }) },
  async (input, { user, access }) => {
    const app = await createAppIn(access, input, await requestOrigin(user));
    revalidatePath(`/${access.org.name}`);
    return { name: app.name };
  },
);
