import Link from 'next/link';

/** The header's bell: a link to the inbox, named with the unread count ("Notifications, 2 unread"; "…, 0 unread"). */
export function NotificationsBell({ unread }: { unread: number }) {
  const shown = unread > 99 ? '99+' : String(unread);
  return (
    <Link
      href="/notifications"
      aria-label={`Notifications, ${shown} unread`}
      className="relative flex size-9 items-center justify-center rounded-full border border-slate-300 bg-white text-slate-700 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-indigo-600"
    >
      <svg aria-hidden viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" className="size-5">
        <path d="M6 8a6 6 0 1 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
        <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
      </svg>
      {unread > 0 ? (
        <span className="absolute -right-1 -top-1 min-w-5 rounded-full bg-red-700 px-1 text-center text-xs font-semibold leading-5 text-white">{shown}</span>
      ) : null}
    </Link>
  );
}
