'use server';

import { headers } from 'next/headers';
import { db } from '../db';
import { recordAudit } from '../audit';
import { markSessionAuthenticated } from '../auth/sessions';
import { checkReauthProof, reauthenticateSchema } from '../auth/step-up';
import { clientAddress } from '../shared/http/client-address';
import { authedAction, requestOrigin } from './safe-action';

/**
 * "Confirm it's you": checks a proof that the signed-in user is at the keyboard (the password,
 * through the sign-in's limits) and marks this session as freshly authenticated, so that the
 * sensitive action that asked for it can run again. Audited as `session.reauthenticated`; a
 * wrong proof changes nothing and counts as a failed sign-in.
 */
export const reauthenticate = authedAction({ name: 'reauthenticate', schema: reauthenticateSchema }, async (proof, { user, session }) => {
  const h = await headers();
  await checkReauthProof(user, proof, clientAddress(h), h.get('host'));
  const origin = await requestOrigin(user);
  await db.$transaction(async (tx) => {
    await markSessionAuthenticated(tx, session.id);
    await recordAudit(tx, { action: 'session.reauthenticated', orgId: null, details: { method: proof.method }, origin });
  });
  return null;
});
