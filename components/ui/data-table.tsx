import type { ReactNode } from 'react';

/**
 * A table in a horizontally scrollable region that keyboard users can reach (a named region with
 * tabIndex 0), with a row of column headings. `children` are the body's rows.
 */
export function DataTable({ label, caption, headings, children }: { label: string; caption?: string; headings: string[]; children: ReactNode }) {
  return (
    <div className="overflow-x-auto" tabIndex={0} role="region" aria-label={label}>
      <table className="w-full rounded-lg border border-slate-200 bg-white text-left text-sm shadow-sm">
        {caption ? <caption className="sr-only">{caption}</caption> : null}
        <thead className="bg-slate-100 text-slate-700">
          <tr>
            {headings.map((heading) => (
              <th key={heading} scope="col" className="px-3 py-2 font-medium">
                {heading}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
