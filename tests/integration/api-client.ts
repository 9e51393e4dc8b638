// Calls the management API's real route handlers with real Request objects.
import * as appsRoute from '@/app/v1/apps/route';
import * as appRoute from '@/app/v1/apps/[appId]/route';
import * as keysRoute from '@/app/v1/apps/[appId]/api-keys/route';
import * as orgsRoute from '@/app/v1/orgs/route';
import * as membersRoute from '@/app/v1/members/route';
import * as memberRoute from '@/app/v1/members/[userId]/route';
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
  // A GET carries no body (fetch refuses one): a body given for every endpoint alike is left out.
  return new Request(`http://portal.test${path}`, { method, headers, body: method === 'GET' ? undefined : options.body });
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
  createApp: async (options: CallOptions = {}) => answer(await appsRoute.POST(request('POST', '/v1/apps', options), { params: Promise.resolve({}) })),
  getApp: async (appId: string | number, options: CallOptions = {}) =>
    answer(await appRoute.GET(request('GET', `/v1/apps/${appId}`, options), { params: Promise.resolve({ appId: String(appId) }) })),
  updateApp: async (appId: string | number, options: CallOptions = {}) =>
    answer(await appRoute.PATCH(request('PATCH', `/v1/apps/${appId}`, options), { params: Promise.resolve({ appId: String(appId) }) })),
  putApp: async (appId: string | number, options: CallOptions = {}) =>
    answer(await appRoute.PUT(request('PUT', `/v1/apps/${appId}`, options), { params: Promise.resolve({ appId: String(appId) }) })),
  deleteApp: async (appId: string | number, options: CallOptions = {}) =>
    answer(await appRoute.DELETE(request('DELETE', `/v1/apps/${appId}`, options), { params: Promise.resolve({ appId: String(appId) }) })),
  listOrgs: async (options: CallOptions = {}) => answer(await orgsRoute.GET(request('GET', '/v1/orgs', options), { params: Promise.resolve({}) })),
  listMembers: async (options: CallOptions = {}) => answer(await membersRoute.GET(request('GET', '/v1/members', options), { params: Promise.resolve({}) })),
  addMember: async (options: CallOptions = {}) => answer(await membersRoute.POST(request('POST', '/v1/members', options), { params: Promise.resolve({}) })),
  getMember: async (userId: string, options: CallOptions = {}) =>
    answer(await memberRoute.GET(request('GET', `/v1/members/${userId}`, options), { params: Promise.resolve({ userId }) })),
  updateMember: async (userId: string, options: CallOptions = {}) =>
    answer(await memberRoute.PATCH(request('PATCH', `/v1/members/${userId}`, options), { params: Promise.resolve({ userId }) })),
  removeMember: async (userId: string, options: CallOptions = {}) =>
    answer(await memberRoute.DELETE(request('DELETE', `/v1/members/${userId}`, options), { params: Promise.resolve({ userId }) })),
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
