import { defineConfig, globalIgnores } from 'eslint/config';
import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTs from 'eslint-config-next/typescript';

// The wall between the planes (docs/architecture.md), written as an allowlist per folder and
// checked on the resolved path of every import (`@/` and relative forms alike):
// - lib/shared (the plane-neutral core) imports only lib/shared and packages;
// - lib/runtime (the data plane) imports only lib/shared, its own files and packages;
// - the portal (app, components, the rest of lib, proxy.ts) imports anything but lib/runtime.
// When a rule is in the way, move the piece both planes need into lib/shared.
const PORTAL = [
  './app',
  './components',
  './lib/actions',
  './lib/api',
  './lib/auth',
  './lib/data',
  './lib/tokens',
  './lib/*.ts',
  './proxy.ts',
  './instrumentation.ts',
];
export const WALL_ZONES = [
  {
    target: './lib/shared',
    from: '.',
    except: ['./lib/shared', './node_modules'],
    message: 'lib/shared is the plane-neutral core: it imports only lib/shared and packages.',
  },
  {
    target: './lib/runtime',
    from: '.',
    except: ['./lib/runtime', './lib/shared', './node_modules'],
    message: 'The runtime (data plane) imports only lib/shared and its own files: move what both planes need into lib/shared.',
  },
  {
    target: PORTAL,
    from: './lib/runtime',
    message: 'The portal does not import the runtime (data plane): move what both planes need into lib/shared.',
  },
];
const NO_PORTAL_PACKAGES = {
  'no-restricted-imports': [
    'error',
    {
      patterns: [
        {
          group: ['@prisma/*', 'next', 'next/*', 'next-auth', 'next-auth/*', 'server-only', 'react', 'react-dom'],
          message: 'The runtime and the shared core use neither Prisma nor Next.js nor React.',
        },
      ],
    },
  ],
};

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  { files: ['**/*.{ts,tsx,mjs}'], rules: { 'import/no-restricted-paths': ['error', { zones: WALL_ZONES }] } },
  { files: ['lib/runtime/**/*.ts', 'lib/shared/**/*.ts'], rules: NO_PORTAL_PACKAGES },
  {
    // Data queries answer or throw; redirects and 404s belong to the request guards in lib/auth/guards.ts.
    files: ['lib/data/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'next/navigation', message: 'lib/data never redirects: use the guards in lib/auth/guards.ts.' }] }],
    },
  },
  globalIgnores([
    '.next/**',
    '.next-postgresql/**',
    '.test-data/**',
    '.scratch/**',
    'lib/generated/**',
    'node_modules/**',
    'next-env.d.ts',
    'test-results/**',
    'playwright-report/**',
  ]),
]);
