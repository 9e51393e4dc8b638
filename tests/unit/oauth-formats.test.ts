import { describe, expect, it } from 'vitest';
import {
  generateOAuthAccessToken,
  generateOAuthClientId,
  generateOAuthClientSecret,
  generatePersonalAccessToken,
  isWellFormedOAuthAccessToken,
  isWellFormedOAuthClientId,
  isWellFormedOAuthClientSecret,
  isWellFormedPersonalAccessToken,
} from '@/lib/shared/keys/format';
import { requestedScopes } from '@/lib/tokens/oauth-clients';

describe('OAuth formats', () => {
  it('give the client id, the secret and the access token each its own prefix and checksum', () => {
    const kinds = [
      [generateOAuthClientId(), isWellFormedOAuthClientId, /^spc_[0-9A-Za-z]{36}$/],
      [generateOAuthClientSecret(), isWellFormedOAuthClientSecret, /^sps_[0-9A-Za-z]{36}$/],
      [generateOAuthAccessToken(), isWellFormedOAuthAccessToken, /^spo_[0-9A-Za-z]{36}$/],
      [generatePersonalAccessToken(), isWellFormedPersonalAccessToken, /^spt_/],
    ] as const;
    for (const [value, check, shape] of kinds) {
      expect(value).toMatch(shape);
      expect(check(value)).toBe(true);
      // No kind passes for another.
      for (const [, other] of kinds) if (other !== check) expect(other(value)).toBe(false);
      const typo = value.slice(0, 10) + (value[10] === 'a' ? 'b' : 'a') + value.slice(11);
      expect(check(typo)).toBe(false);
    }
  });
});

describe('requested scopes', () => {
  it("are the client's when none are asked for, fewer on request, and never more", () => {
    expect(requestedScopes(['apps:write'], undefined)).toEqual(['apps:write']);
    expect(requestedScopes(['apps:write'], 'apps:read')).toEqual(['apps:read']);
    expect(requestedScopes(['*'], 'apps:read apps:write')).toEqual(['apps:read', 'apps:write']);
    expect(requestedScopes(['*'], '*')).toEqual(['*']);
    expect(requestedScopes(['apps:read'], 'apps:write')).toBeNull();
    expect(requestedScopes(['apps:write'], '*')).toBeNull();
    expect(requestedScopes(['*'], 'admin')).toBeNull();
    expect(requestedScopes(['*'], '  ')).toBeNull();
  });
});
