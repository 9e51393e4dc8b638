#!/usr/bin/env node
// Rotates the idle API key of one app, as a scheduled CI job would (docs/rotation-as-code.md).
// Node 18 or later, no packages. It signs in with an OAuth client (client credentials), reads
// both keys' use from GET /v1/apps/{id}/api-keys, regenerates the key that served no request in
// the last IDLE_HOURS, and writes the new key to KEY_FILE (mode 600). It never prints a key.
//
// Safe to retry: the regeneration carries an Idempotency-Key (ROTATION_ID), so running this again
// with the same ROTATION_ID within 24 hours, after a lost answer or a re-run of the job, answers
// the same new key instead of rotating a second time.
//
// Environment:
//   SPICE_PORTAL_URL     the portal, e.g. https://portal.example.com
//   SPICE_CLIENT_ID      an OAuth client of the app's organization with the apps:write scope
//   SPICE_CLIENT_SECRET
//   SPICE_APP_ID         the app's id (App ID on the app's Overview, or GET /v1/apps)
//   KEY_FILE             where to write the new key
//   ROTATION_ID          one per rotation (in GitHub Actions: the run id); default: a new one
//   IDLE_HOURS           how long a key must have served no request to be replaced (default 24);
//                        longer than the gap between runs of your least frequent client (a weekly
//                        report: 168 or more)
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is not set.`);
    process.exit(2);
  }
  return value;
}

const portal = required('SPICE_PORTAL_URL').replace(/\/+$/, '');
const clientId = required('SPICE_CLIENT_ID');
const clientSecret = required('SPICE_CLIENT_SECRET');
const appId = required('SPICE_APP_ID');
const keyFile = required('KEY_FILE');
const rotationId = process.env.ROTATION_ID || randomUUID();
const idleHours = Number(process.env.IDLE_HOURS ?? 24);
if (!Number.isFinite(idleHours) || idleHours <= 0) {
  console.error('IDLE_HOURS must be a positive number of hours.');
  process.exit(2);
}

/** A request, tried again (with the same headers, so the same Idempotency-Key) when the network or the server failed. */
async function send(path, init) {
  for (let attempt = 1; ; attempt++) {
    let response;
    try {
      response = await fetch(`${portal}${path}`, { ...init, signal: AbortSignal.timeout(30_000) });
    } catch (error) {
      if (attempt >= 4) {
        // The portal could not be reached (or did not answer in time): say so, without a stack trace.
        console.error(
          `Could not reach ${portal}: ${error.cause?.code ?? error.cause?.message ?? error.message}. Re-run the job with the same ROTATION_ID: a rotation that did get through is then not repeated.`,
        );
        process.exit(1);
      }
    }
    if (response) {
      // 409 idempotency_in_progress: the first try is still running; 5xx: nothing was kept.
      const retry = response.status >= 500 || response.status === 409 || response.status === 429;
      if (!retry || attempt >= 4) return response;
    }
    await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** attempt));
  }
}

async function json(response, what) {
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    console.error(`${what} failed: ${response.status} ${body.code ?? body.error ?? ''} ${body.error_description ?? body.error ?? ''}`.trim());
    process.exit(1);
  }
  return body;
}

// 1. An access token for the OAuth client (RFC 6749 client credentials, HTTP Basic).
const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64');
const { access_token: accessToken } = await json(
  await send('/api/oauth/token', {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'apps:write' }),
  }),
  'Getting an access token',
);
const auth = { authorization: `Bearer ${accessToken}` };

// 2. Which key is idle: no request in the last IDLE_HOURS (never used counts as idle). Of two idle
// keys, the one last used longer ago.
const keys = await json(await send(`/v1/apps/${appId}/api-keys`, { headers: auth }), 'Reading the keys');
const lastUsed = (usage) => (usage.last_used_at ? Date.parse(usage.last_used_at) : 0);
const idleSince = Date.now() - idleHours * 3_600_000;
const slots = [
  { number: 1, usage: keys.api_key_usage },
  { number: 2, usage: keys.api_key_2_usage },
];
const idle = slots
  .filter((slot) => lastUsed(slot.usage) < idleSince && slot.usage.requests_last_hour === 0)
  .sort((a, b) => lastUsed(a.usage) - lastUsed(b.usage));
if (idle.length === 0) {
  console.log(`Both keys of app ${appId} served requests in the last ${idleHours} hours: nothing rotated. Move your clients to one key first.`);
  process.exit(0);
}
const keyNumber = idle[0].number;

// 3. Regenerate it, safely retried.
const rotated = await json(
  await send(`/v1/apps/${appId}/api-keys`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json', 'idempotency-key': `rotate-${appId}-${rotationId}` },
    body: JSON.stringify({ key_number: keyNumber }),
  }),
  'Regenerating the key',
);

// 4. Store it: here a file only this user can read; in CI, hand it to your secret manager.
await writeFile(keyFile, `${keyNumber === 1 ? rotated.api_key : rotated.api_key_2}\n`, { mode: 0o600 });
console.log(`Regenerated API Key ${keyNumber} of app ${appId} (no request in the last ${idleHours} hours); the new key is in ${keyFile}.`);
