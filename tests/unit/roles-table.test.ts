// The roles table has one source, ROLE_ABILITIES (lib/auth/permissions.ts): the Members page shows
// it, and docs/security.md's table must say the same, row for row.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { can, PERMISSIONS, ROLE_ABILITIES, ROLES } from '@/lib/auth/permissions';

function docsRolesTable(): string[][] {
  const text = fs.readFileSync(path.join(import.meta.dirname, '../../docs/security.md'), 'utf8');
  const section = text.slice(text.indexOf('\n## Roles\n'), text.indexOf('\n## ', text.indexOf('\n## Roles\n') + 1));
  return section
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| ---'))
    .map((line) =>
      line
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim()),
    );
}

describe('the roles table', () => {
  it('in docs/security.md is ROLE_ABILITIES, row for row', () => {
    const expected = [
      ['may', ...ROLES],
      ...ROLE_ABILITIES.map((ability) => [ability.may, ...ROLES.map((role) => (can(role, ability.permission) ? 'yes' : 'no'))]),
    ];
    expect(docsRolesTable()).toEqual(expected);
  });

  it('names each permission once, and the app line covers every app change alike', () => {
    const named = ROLE_ABILITIES.map((ability) => ability.permission);
    expect(new Set(named).size).toBe(named.length);
    expect(PERMISSIONS['app:update']).toEqual(PERMISSIONS['app:create']);
    expect(PERMISSIONS['app:delete']).toEqual(PERMISSIONS['app:create']);
    // Every permission is in the table, but those that the app line stands for.
    expect(Object.keys(PERMISSIONS).filter((p) => !named.includes(p as never))).toEqual(['app:update', 'app:delete']);
  });
});
