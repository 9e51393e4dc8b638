import type { Metadata } from 'next';
import Link from 'next/link';
import { NOT_FOUND_TITLE } from '@/lib/auth/guards';

export const metadata: Metadata = { title: NOT_FOUND_TITLE };

export default function NotFound() {
  return (
    <main className="mx-auto max-w-xl px-6 py-24">
      <h1 className="text-2xl font-semibold">Page not found</h1>
      <p className="mt-2 text-slate-700">This page does not exist, or you do not have access to it.</p>
      <Link href="/" className="mt-6 inline-block text-indigo-700 underline">
        Go to your apps
      </Link>
    </main>
  );
}
