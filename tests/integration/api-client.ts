// Calls the management API's real route handlers with real Request objects.
import * as appsRoute from '@/app/v1/apps/route';
import * as keysRoute from '@/app/v1/apps/[appId]/api-keys/route';
import * as openapiRoute from '@/app/v1/openapi.json/route';
import { createToken } from '@/lib/actions/tokens';
import { CLIENT_ADDRESS_HEADER } from '@/lib/shared/http/client-address';
import { signInAs } from './request';

type CallOptions = { token?: string | null; authorization?: string; body?: string; headers?: Record<string, string>; address?: string };

function request(method: string, path: string, options: CallOptions): Request {
  const headers = new Headers(options.headers);
  if (options.authorization !== undefined) headers.set('authorization', options.authorization);
  else if (options.token) headers.set('authorization', `Bearer ${options.token}`);
  // What the portal's server sets from the connection (lib/shared/http/client-address.ts).
  headers.set(CLIENT_ADDRESS_HEADER, options.address ?? '192.0.2.10');
  headers.set('user-agent', 'api-test');
  return new Request(`http://portal.test${path}`, { method, headers, body: options.body });
}

async function answer(response: Response) {
  const text = await response.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: response.status, json: json as Record<string, unknown>, text, headers: response.headers };
}

export const api = {
  listApps: async (options: CallOptions = {}) => answer(await appsRoute.GET(request('GET', '/v1/apps', options), { params: Promise.resolve({}) })),
  getKeys: async (appId: string | number, options: CallOptions = {}) =>
    answer(await keysRoute.GET(request('GET', `/v1/apps/${appId}/api-keys`, options), { params: Promise.resolve({ appId: String(appId) }) })),
  regenerate: async (appId: string | number, options: CallOptions = {}) =>
    answer(await keysRoute.POST(request('POST', `/v1/apps/${appId}/api-keys`, options), { params: Promise.resolve({ appId: String(appId) }) })),
  openapi: async () => answer(openapiRoute.GET(new Request('http://portal.test/v1/openapi.json'))),
};

let tokens = 0;

/**
 * Creates a token through the portal's own action, as the user would on the tokens page. Token
 * names are unique per user, so each gets its own name unless the test gives one.
 */
export async function tokenFor(
  user: { id: string; name: string; email: string },
  options: { name?: string; org: string; scope: 'apps:read' | 'apps:write' | '*'; expiration?: string },
): Promise<string> {
  await signInAs(user);
  const result = await createToken({
    name: options.name ?? `test-token-${++tokens}`,
    org: options.org,
    scope: options.scope,
    expiration: options.expiration ?? '30',
  });
  if (!result.ok) throw new Error(result.error);
  return result.data.token;
}

export const json = (value: unknown) => ({ body: JSON.stringify(value), headers: { 'content-type': 'application/json' } });
