/** @type {import('next').NextConfig} */
const nextConfig = {
  // The build bundles the Prisma client generated for one database provider; a build for the
  // other provider can live beside it (the test script builds PostgreSQL into .next-postgresql).
  distDir: process.env.NEXT_DIST_DIR || '.next',
  // Native database drivers stay outside the server bundle, and so does prom-client (its
  // optional OpenTelemetry import; one copy in the process for the metrics registry).
  serverExternalPackages: ['@libsql/client', 'libsql', '@prisma/adapter-libsql', 'pg', '@prisma/adapter-pg', 'prom-client'],
  poweredByHeader: false,
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'same-origin' },
        ],
      },
    ];
  },
};

export default nextConfig;
