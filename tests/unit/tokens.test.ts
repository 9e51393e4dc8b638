import { describe, expect, it } from 'vitest';
import { generateApiKey, generatePersonalAccessToken, isWellFormedApiKey, isWellFormedPersonalAccessToken } from '@/lib/shared/keys/format';
import { scopeGrants } from '@/lib/tokens/scopes';

describe('personal access token format', () => {
  it('has its own prefix and checksum, distinct from app keys', () => {
    const token = generatePersonalAccessToken();
    expect(token).toMatch(/^spt_[0-9A-Za-z]{36}$/);
    expect(isWellFormedPersonalAccessToken(token)).toBe(true);
    expect(isWellFormedApiKey(token)).toBe(false);
    expect(isWellFormedPersonalAccessToken(generateApiKey())).toBe(false);
    const typo = token.slice(0, 10) + (token[10] === 'a' ? 'b' : 'a') + token.slice(11);
    expect(isWellFormedPersonalAccessToken(typo)).toBe(false);
  });
});

describe('scopes', () => {
  it('grants read to read, write or *; write only to write or *', () => {
    expect(scopeGrants(['apps:read'], 'apps:read')).toBe(true);
    expect(scopeGrants(['apps:read'], 'apps:write')).toBe(false);
    expect(scopeGrants(['apps:write'], 'apps:read')).toBe(true);
    expect(scopeGrants(['apps:write'], 'apps:write')).toBe(true);
    expect(scopeGrants(['*'], 'apps:write')).toBe(true);
    expect(scopeGrants([], 'apps:read')).toBe(false);
  });
});
