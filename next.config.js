/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native database drivers stay outside the server bundle.
  serverExternalPackages: ['@libsql/client', 'libsql', '@prisma/adapter-libsql'],
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
