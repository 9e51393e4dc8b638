import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { Toaster } from '@/components/toaster';
import './globals.css';

// Every page, the 404 included, is rendered per request: each carries its own CSP nonce
// (proxy.ts), which a page built ahead of time cannot.
export const dynamic = 'force-dynamic';

export const metadata: Metadata = {
  title: { default: 'Spice Portal', template: '%s · Spice Portal' },
  description: 'Data apps and their API keys.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen font-sans">
        {children}
        <Toaster />
      </body>
    </html>
  );
}
