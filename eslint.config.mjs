import { defineConfig, globalIgnores } from 'eslint/config';
import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTs from 'eslint-config-next/typescript';

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  {
    // Data queries answer or throw; redirects and 404s belong to the request guards in lib/auth/guards.ts.
    files: ['lib/data/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'next/navigation', message: 'lib/data never redirects: use the guards in lib/auth/guards.ts.' }] }],
    },
  },
  globalIgnores(['.next/**', '.next-postgresql/**', '.test-data/**', '.scratch/**', 'lib/generated/**', 'node_modules/**', 'next-env.d.ts', 'test-results/**', 'playwright-report/**']),
]);
