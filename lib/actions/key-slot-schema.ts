import { z } from 'zod';

/** An app's id and one of its key slots, as the key actions take them (FormData strings or numbers). */
export const appKeySlotSchema = z.object({
  appId: z.coerce.number({ error: 'Unknown app.' }).int('Unknown app.').positive('Unknown app.'),
  slot: z.coerce
    .number({ error: 'Key slot must be 1 or 2.' })
    .refine((slot) => slot === 1 || slot === 2, 'Key slot must be 1 or 2.')
    .transform((slot) => slot as 1 | 2),
});
