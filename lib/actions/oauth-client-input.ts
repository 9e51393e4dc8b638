import { z } from 'zod';

/** The org and client an action on an OAuth client names: the client by its public id (spc_…). */
export const oauthClientRefSchema = z.object({
  org: z.string().min(1).max(64),
  clientId: z.string().min(1).max(64),
});

export const TYPE_THE_CLIENT_ID = 'Type the client id exactly to confirm.';
