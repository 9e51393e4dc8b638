'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { usePopover } from '@/components/ui/use-popover';

const itemClass =
  'flex items-center justify-between gap-3 rounded px-2 py-2 text-sm hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-indigo-600';

/**
 * Switch organization: every organization the user belongs to, the one in the URL marked
 * current, and New organization.
 */
export function OrgSwitcher({ orgs }: { orgs: { name: string; role: string }[] }) {
  const { open, setOpen, rootRef, popoverId, buttonProps } = usePopover();
  // The organization is the first segment of the URL, in any case.
  const current = usePathname().split('/')[1]?.toLowerCase();

  return (
    <div ref={rootRef} className="relative">
      <button
        {...buttonProps}
        className="flex items-center gap-1 rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-indigo-600"
      >
        Switch organization
        <span aria-hidden className="text-xs text-slate-600">
          ▾
        </span>
      </button>
      {open ? (
        <div id={popoverId} className="absolute left-0 z-20 mt-2 w-72 max-w-[calc(100vw-2rem)] rounded-md border border-slate-200 bg-white p-2 shadow-lg">
          <p id={`${popoverId}-label`} className="px-2 py-1 text-xs text-slate-600">
            Your organizations
          </p>
          <ul aria-labelledby={`${popoverId}-label`} className="max-h-80 overflow-y-auto">
            {orgs.map((org) => (
              <li key={org.name}>
                <Link
                  href={`/${org.name}`}
                  aria-current={org.name === current ? 'page' : undefined}
                  onClick={() => setOpen(false)}
                  className={`${itemClass} aria-[current=page]:bg-indigo-50 aria-[current=page]:font-semibold aria-[current=page]:text-indigo-800`}
                >
                  <span className="truncate">{org.name}</span>
                  <span className="text-xs font-normal text-slate-600">{org.role}</span>
                </Link>
              </li>
            ))}
          </ul>
          <Link href="/new" onClick={() => setOpen(false)} className={`${itemClass} mt-1 border-t border-slate-200 font-medium text-indigo-700`}>
            New organization
          </Link>
        </div>
      ) : null}
    </div>
  );
}
