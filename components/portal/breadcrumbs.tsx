import Link from 'next/link';

export type Crumb = { label: string; href?: string; separator?: '/' | '›' };

/**
 * Where the page is: organization / app / section, each a link but the last, which is the current
 * page (`aria-current="page"`, highlighted). A crumb may say which separator comes before it.
 */
export function Breadcrumbs({ items }: { items: Crumb[] }) {
  return (
    <nav aria-label="Breadcrumb" className="text-sm">
      <ol className="flex flex-wrap items-center gap-1 text-slate-700">
        {items.map((item, index) => {
          const current = index === items.length - 1;
          return (
            <li key={`${index}-${item.label}`} className="flex items-center gap-1">
              {index > 0 ? (
                <span aria-hidden className="px-1 text-slate-600">
                  {item.separator ?? '/'}
                </span>
              ) : null}
              {current ? (
                <span aria-current="page" className="rounded bg-indigo-50 px-1.5 py-0.5 font-semibold text-indigo-800">
                  {item.label}
                </span>
              ) : (
                <Link href={item.href ?? '#'} className="rounded px-1 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-600">
                  {item.label}
                </Link>
              )}
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
