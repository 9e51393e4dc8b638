import type { ReactNode } from 'react';

/**
 * A titled panel of a page: a region named by its heading (`id` links the two), an optional line
 * of introduction under the heading, then its content. `danger` marks destructive actions.
 */
export function Card({
  id,
  title,
  intro,
  danger = false,
  className = '',
  children,
}: {
  id: string;
  title: ReactNode;
  intro?: ReactNode;
  danger?: boolean;
  className?: string;
  children: ReactNode;
}) {
  return (
    <section
      aria-labelledby={id}
      className={`space-y-4 rounded-lg border bg-white p-4 shadow-sm sm:p-6 ${danger ? 'border-red-300' : 'border-slate-200'} ${className}`}
    >
      <div>
        <h2 id={id} className={`text-lg font-semibold ${danger ? 'text-red-800' : ''}`}>
          {title}
        </h2>
        {intro ? <p className="mt-1 text-sm text-slate-700">{intro}</p> : null}
      </div>
      {children}
    </section>
  );
}
