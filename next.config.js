/** @type {import('next').NextConfig} */
const nextConfig = {
  // The build bundles the Prisma client generated for one database provider; a build for the
  // other provider can live beside it (the test script builds PostgreSQL into .next-postgresql).
  distDir: process.env.NEXT_DIST_DIR || '.next',
  // Native database drivers stay outside the server bundle.
  serverExternalPackages: ['@libsql/client', 'libsql', '@prisma/adapter-libsql', 'pg', '@prisma/adapter-pg'],
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
