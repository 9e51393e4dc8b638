import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { Toaster } from '@/components/toaster';
import './globals.css';

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
