'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import type { ReactNode } from 'react';

/** A navigation link that marks itself current when the page is at or under `href` (or exactly, with `exact`). */
export function NavLink({ href, exact = false, children, className = '' }: { href: string; exact?: boolean; children: ReactNode; className?: string }) {
  // URLs are case-insensitive (/ACME/Taxi-Demo is /acme/taxi-demo) and links use the stored, lowercase names.
  const pathname = usePathname().toLowerCase();
  const target = href.toLowerCase();
  const current = exact ? pathname === target : pathname === target || pathname.startsWith(`${target}/`);
  return (
    <Link
      href={href}
      aria-current={current ? 'page' : undefined}
      className={`block rounded-md px-3 py-2 text-sm font-medium hover:bg-slate-100 aria-[current=page]:bg-indigo-50 aria-[current=page]:text-indigo-800 ${className}`}
    >
      {children}
    </Link>
  );
}
