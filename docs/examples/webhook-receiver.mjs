#!/usr/bin/env node
// Receives the portal's signed webhooks (docs/webhooks.md) and, when an app's key is
// regenerated, fetches the new keys with its own OAuth client and stores them, as a secret
// manager's sync would (docs/rotation-as-code.md). Needs the `standardwebhooks` package.
//
// Environment:
//   PORT                 where to listen (default 8787)
//   WEBHOOK_SECRET       the endpoint's signing secret (whsec_…), from Organization → Settings → Webhooks
//   SPICE_PORTAL_URL, SPICE_CLIENT_ID, SPICE_CLIENT_SECRET   an OAuth client with apps:read
//   KEYS_DIR             where to write <app id>.json with the app's keys (mode 600)
import { createServer } from 'node:http';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is not set.`);
    process.exit(2);
  }
  return value;
}

const webhook = new Webhook(required('WEBHOOK_SECRET'));
const portal = required('SPICE_PORTAL_URL').replace(/\/+$/, '');
const clientId = required('SPICE_CLIENT_ID');
const clientSecret = required('SPICE_CLIENT_SECRET');
const keysDir = required('KEYS_DIR');
const seen = new Set();

async function accessToken() {
  const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64');
  const response = await fetch(`${portal}/api/oauth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'apps:read' }),
  });
  if (!response.ok) throw new Error(`token endpoint answered ${response.status}`);
  return (await response.json()).access_token;
}

/** The payload never holds a key: fetch the app's keys with our own credential. */
async function syncKeys(appId) {
  const response = await fetch(`${portal}/v1/apps/${appId}/api-keys`, { headers: { authorization: `Bearer ${await accessToken()}` } });
  if (!response.ok) throw new Error(`GET api-keys answered ${response.status}`);
  const { api_key, api_key_2 } = await response.json();
  await mkdir(keysDir, { recursive: true });
  await writeFile(path.join(keysDir, `${appId}.json`), JSON.stringify({ api_key, api_key_2 }), { mode: 0o600 });
}

const server = createServer((request, response) => {
  const chunks = [];
  let size = 0;
  request.on('data', (chunk) => {
    size += chunk.length;
    if (size > 1024 * 1024) request.destroy();
    else chunks.push(chunk);
  });
  request.on('end', async () => {
    const body = Buffer.concat(chunks).toString('utf8');
    let event;
    try {
      // Checks the signature and that the timestamp is within 5 minutes; throws otherwise.
      event = webhook.verify(body, {
        'webhook-id': request.headers['webhook-id'],
        'webhook-timestamp': request.headers['webhook-timestamp'],
        'webhook-signature': request.headers['webhook-signature'],
      });
    } catch {
      response.writeHead(401).end();
      return;
    }
    // A retry carries the same webhook-id: handle each event once.
    const id = request.headers['webhook-id'];
    if (seen.has(id)) {
      response.writeHead(204).end();
      return;
    }
    try {
      if (event.type === 'api_key.regenerated') await syncKeys(event.data.app.id);
      seen.add(id);
      console.log(`${event.type} ${id}`);
      response.writeHead(204).end();
    } catch (error) {
      // A failure answers 500: the portal tries again later.
      console.error(`${event.type} ${id}: ${error.message}`);
      response.writeHead(500).end();
    }
  });
});

server.listen(Number(process.env.PORT ?? 8787), () => console.log(`listening on ${server.address().port}`));
