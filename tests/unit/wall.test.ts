import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

// The wall between the planes is the lint allowlist in eslint.config.mjs: these imports, linted
// as if they stood in the named files, must be refused (and the allowed ones let through).
let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: process.cwd() });
});

async function wallErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'import/no-restricted-paths').map((m) => m.message);
}

describe('the wall between the planes', () => {
  it('refuses portal code in the runtime, in both import forms', async () => {
    const errors = await wallErrors(
      'lib/runtime/probe.ts',
      "import { regenerateApiKeys } from '../data/api-keys';\nimport { findAppAccess } from '@/lib/auth/access';\nimport { recordAudit } from '../audit';\nexport const x = [regenerateApiKeys, findAppAccess, recordAudit];\n",
    );
    expect(errors).toHaveLength(3);
    expect(errors[0]).toMatch(/runtime \(data plane\) imports only lib\/shared/);
  });

  it('lets the runtime import lib/shared and its own files', async () => {
    const errors = await wallErrors(
      'lib/runtime/flight/probe.ts',
      "import { AppError } from '../../shared/errors';\nimport { lookupDigest } from '@/lib/shared/keys/digest';\nimport { runtimeConfig } from '../config';\nexport const x = [AppError, lookupDigest, runtimeConfig];\n",
    );
    expect(errors).toEqual([]);
  });

  it('refuses the runtime in portal code', async () => {
    for (const file of ['lib/actions/probe.ts', 'lib/api/probe.ts', 'lib/data/probe.ts', 'app/(portal)/probe.tsx', 'components/probe.tsx']) {
      const errors = await wallErrors(file, "import { runtimeConfig } from '@/lib/runtime/config';\nexport const x = runtimeConfig;\n");
      expect(errors, file).toHaveLength(1);
      expect(errors[0]).toMatch(/portal does not import the runtime/);
    }
  });

  it('keeps lib/shared free of both planes', async () => {
    const errors = await wallErrors(
      'lib/shared/probe.ts',
      "import { db } from '../db';\nimport { runtimeConfig } from '../runtime/config';\nexport const x = [db, runtimeConfig];\n",
    );
    expect(errors).toHaveLength(2);
  });
});
