'use client';

import { useState, useTransition, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { CopyableValue } from '@/components/keys/copy-button';
import { useKeys } from '@/components/keys/keys-context';
import { runQuery, type QueryTable } from '@/lib/actions/run-query';
import { maskApiKey } from '@/lib/shared/keys/display';

export const STARTER_QUERY =
  'SELECT passenger_count, COUNT(*) AS trips, ROUND(AVG(fare_amount), 2) AS avg_fare\nFROM taxi_trips\nGROUP BY passenger_count\nORDER BY passenger_count';

/** The first query from the page: the endpoint, API Key 1, and a SQL box that runs against the app's runtime. */
export function QuickStart({ endpoint }: { endpoint: string }) {
  const keys = useKeys();
  const [sql, setSql] = useState(STARTER_QUERY);
  const [result, setResult] = useState<QueryTable | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    startTransition(async () => {
      const answer = await runQuery({ appId: keys.appId, sql });
      if (answer.ok) {
        setResult(answer.data);
        setError(null);
      } else {
        setResult(null);
        setError(answer.error);
      }
    });
  }

  return (
    <div className="space-y-6">
      <Card id="quick-start-heading" title="Quick start">
        <CopyableValue label="Endpoint" value={endpoint} what="endpoint" text={() => endpoint} />
        <CopyableValue label="API Key 1" value={maskApiKey(keys.view(1).key)} what="API Key 1" text={async () => (await keys.ensureCurrent(1)).key} />
      </Card>
      <Card
        id="try-heading"
        title="Try a query"
        intro={
          <>
            Runs on this app&apos;s runtime with API Key 1. Each app has a sample table, <code className="font-mono">taxi_trips</code>.
          </>
        }
      >
        <form onSubmit={onSubmit} className="space-y-3">
          <label htmlFor="sql-query" className="block text-sm font-medium text-slate-800">
            SQL query
          </label>
          <textarea
            id="sql-query"
            value={sql}
            onChange={(event) => setSql(event.target.value)}
            rows={5}
            spellCheck={false}
            className="w-full rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-sm focus:outline-2 focus:outline-indigo-600"
          />
          <Button type="submit" disabled={pending} aria-busy={pending}>
            {pending ? 'Running…' : 'Run query'}
          </Button>
        </form>
        <div aria-live="polite">
          {error ? (
            <p role="alert" className="rounded-md border border-red-300 bg-red-50 px-3 py-2 font-mono text-sm text-red-900">
              {error}
            </p>
          ) : null}
          {result ? <ResultTable result={result} /> : null}
        </div>
      </Card>
    </div>
  );
}

function ResultTable({ result }: { result: QueryTable }) {
  if (result.columns.length === 0) return <p className="text-sm text-slate-700">The query returned no rows.</p>;
  return (
    <div className="space-y-2">
      <p className="text-sm text-slate-700">
        {result.truncated ? `The first ${result.rows.length} rows.` : `${result.totalRows} ${result.totalRows === 1 ? 'row' : 'rows'}.`}
      </p>
      <div className="max-h-96 overflow-auto rounded-md border border-slate-200" tabIndex={0} role="region" aria-label="Query result">
        <table className="w-full text-left text-sm">
          <caption className="sr-only">Query result</caption>
          <thead className="sticky top-0 bg-slate-100 text-slate-700">
            <tr>
              {result.columns.map((column) => (
                <th key={column} scope="col" className="px-3 py-2 font-medium">
                  {column}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {result.rows.map((row, i) => (
              <tr key={i} className="border-t border-slate-200">
                {row.map((value, j) => (
                  <td key={j} className="px-3 py-1.5 font-mono text-xs">
                    {value}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
