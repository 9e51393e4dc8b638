import { defineConfig, globalIgnores } from 'eslint/config';
import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTs from 'eslint-config-next/typescript';

// The wall between the planes (README, Architecture): the portal's pages never reach into the
// runtime, and the runtime reaches only the neutral modules (keys, http, secrets, database-url)
// and its own files. Each pattern catches the `@/` form and every relative form.
const PORTAL_MODULES = ['auth', 'actions', 'data', 'api', 'db', 'prisma', 'startup', 'env', 'migrate', 'generated'];
const portalPatterns = PORTAL_MODULES.flatMap((name) => [`@/lib/${name}`, `@/lib/${name}/**`, `**/lib/${name}`, `**/lib/${name}/**`, `../${name}`, `../${name}/**`, `../../${name}`, `../../${name}/**`]);

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  {
    files: ['app/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@/lib/runtime', '@/lib/runtime/**', '**/lib/runtime', '**/lib/runtime/**'],
              message: 'The portal does not import the runtime (data plane); move what both need to a neutral module (lib/keys, lib/http).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['lib/runtime/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: portalPatterns,
              message: 'The runtime (data plane) does not import portal modules; use lib/keys, lib/http or its own files.',
            },
            { group: ['@prisma/*', 'next', 'next/*', 'next-auth', 'next-auth/*'], message: 'The runtime does not use Prisma or Next.js.' },
          ],
        },
      ],
    },
  },
  {
    // Data queries answer or throw; redirects and 404s belong to the request guards in lib/auth/guards.ts.
    files: ['lib/data/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'next/navigation', message: 'lib/data never redirects: use the guards in lib/auth/guards.ts.' }] }],
    },
  },
  globalIgnores(['.next/**', '.next-postgresql/**', '.test-data/**', '.scratch/**', 'lib/generated/**', 'node_modules/**', 'next-env.d.ts', 'test-results/**', 'playwright-report/**']),
]);
