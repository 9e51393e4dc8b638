'use server';

import { z } from 'zod';
import { db } from '../db';
import { beginPasskeyRegistration as begin } from '../auth/passkeys';
import { asAction } from './passkey-errors';
import { requestHost } from './request-host';
import { authedAction } from './safe-action';

/** Starts adding a passkey: the options for the browser (a challenge valid for 5 minutes, for this user only). */
export const beginPasskeyRegistration = authedAction({ name: 'begin-passkey-registration', schema: z.object({}), stepUp: true }, async (_input, { user }) =>
  asAction(async () => begin(db, user, await requestHost())),
);
