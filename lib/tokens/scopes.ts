/** Scopes a personal access token can carry. apps:write implies apps:read; * grants everything. */
export const TOKEN_SCOPES = ['apps:read', 'apps:write', '*'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];
/** What a route asks for: `*` alone for the member endpoints (docs/management-api.md). */
export type RequiredScope = 'apps:read' | 'apps:write' | '*';

export function scopeGrants(scopes: readonly string[], required: RequiredScope): boolean {
  if (scopes.includes('*') || scopes.includes(required)) return true;
  return required === 'apps:read' && scopes.includes('apps:write');
}

export function parseScopes(stored: string): string[] {
  return stored.split(' ').filter(Boolean);
}
