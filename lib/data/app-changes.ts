import 'server-only';
import type { AppAccess, OrgAccess } from '../auth/access';
import type { Granted } from '../auth/permissions';
import { recordAudit, type ChangeOrigin } from '../audit';
import { serverEnv } from '../env';
import { APP_NAME_TAKEN, appLimitReached } from '../names';
import { isUniqueViolation } from '../prisma';
import { AppError } from '../shared/errors';
import { createAppKeys } from './api-keys';
import { withAppLock, withOrgLock, type LockedApp } from './locks';

// The changes to an app, one function each, called by the portal's action and the management
// API's route alike: the same rules, the same audit rows (and what hangs off them) in the
// change's own transaction. Names and descriptions arrive parsed (lib/names.ts schemas).

/** An app as both doors answer it. */
export type AppRecord = { id: number; name: string; description: string; visibility: string; createdAt: Date };
const appSelect = { id: true, name: true, description: true, visibility: true, createdAt: true } as const;

function nameTaken(): AppError {
  return new AppError('conflict', APP_NAME_TAKEN, { fieldErrors: { name: [APP_NAME_TAKEN] } });
}

/**
 * Creates an app, both of its API keys and its audit event in one transaction, while the
 * organization has fewer than MAX_APPS_PER_ORG apps (else `conflict`). Creations in one
 * organization take turns on its row (lib/data/locks.ts), so two at once cannot both take the
 * last place; the unique index finds a duplicate name (`conflict`).
 */
export async function createAppIn(
  access: Granted<OrgAccess, 'app:create'>,
  input: { name: string; description: string },
  origin: ChangeOrigin,
): Promise<AppRecord> {
  const { keySecrets, maxAppsPerOrg } = serverEnv();
  try {
    return await withOrgLock(access, 'app:create', async (tx) => {
      if ((await tx.app.count({ where: { orgId: access.org.id } })) >= maxAppsPerOrg) throw new AppError('conflict', appLimitReached(maxAppsPerOrg));
      const created = await tx.app.create({ data: { orgId: access.org.id, name: input.name, description: input.description }, select: appSelect });
      await createAppKeys(tx, created.id, origin.actorId, keySecrets);
      await recordAudit(tx, { action: 'app.created', orgId: access.org.id, appId: created.id, origin });
      return created;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken();
    throw error;
  }
}

/**
 * Renames an app and/or edits its description (a field left out stays as it is). A rename is
 * recorded as `app.renamed` with both names, a new description as `app.updated`, in the
 * transaction that makes the change; nothing new, nothing written. A name another app of the
 * organization has is refused by the unique index (`conflict`). Answers the app as it is after.
 */
export async function updateAppOf(
  access: Granted<AppAccess, 'app:update'>,
  input: { name?: string; description?: string },
  origin: ChangeOrigin,
): Promise<AppRecord> {
  try {
    return await withAppLock(access, 'app:update', async (tx, app) => {
      const name = input.name ?? app.name;
      const description = input.description ?? app.description;
      const renamed = app.name !== name;
      const described = app.description !== description;
      if (renamed || described) {
        await tx.app.update({ where: { id: app.id }, data: { name, description }, select: { id: true } });
        const event = { orgId: access.org.id, appId: app.id, origin };
        if (renamed) await recordAudit(tx, { ...event, action: 'app.renamed', details: { previousName: app.name, name } });
        if (described) await recordAudit(tx, { ...event, action: 'app.updated' });
      }
      return tx.app.findUniqueOrThrow({ where: { id: app.id }, select: appSelect });
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken();
    throw error;
  }
}

/**
 * Deletes an app with its two keys. One transaction removes the app and its key rows, so both
 * keys stop verifying the moment it commits (the runtime looks every key up on every request),
 * and records `app.deleted` with the app's name and id in the details (the app row, and so its
 * name, is gone). Earlier audit events of the app stay, without their app. `confirm` sees the app
 * as it is under the lock (the portal checks the typed name there) and throws to refuse.
 */
export async function deleteAppOf(
  access: Granted<AppAccess, 'app:delete'>,
  origin: ChangeOrigin,
  confirm: (app: LockedApp) => void = () => {},
): Promise<{ id: number; name: string }> {
  return withAppLock(access, 'app:delete', async (tx, app) => {
    confirm(app);
    await tx.app.delete({ where: { id: app.id }, select: { id: true } });
    await recordAudit(tx, { action: 'app.deleted', orgId: access.org.id, appId: null, details: { name: app.name, appId: app.id }, origin });
    return { id: app.id, name: app.name };
  });
}
