/** How to use the keys: the runtime's endpoint, a curl example and an SDK example, key masked. */
export function ConnectPanel({ endpoint, maskedKey }: { endpoint: string; maskedKey: string }) {
  const curl = [
    `curl -X POST ${endpoint}/v1/sql \\`,
    `  -H "X-API-Key: ${maskedKey}" \\`,
    `  -H "Content-Type: text/plain" \\`,
    `  -d "SELECT * FROM taxi_trips LIMIT 10"`,
  ].join('\n');
  const sdk = [
    `import { SpiceClient } from '@spiceai/spice';`,
    ``,
    `const spice = new SpiceClient({`,
    `  apiKey: process.env.SPICE_API_KEY, // ${maskedKey}`,
    `  httpUrl: '${endpoint}',`,
    `  httpOnly: true,`,
    `});`,
    `const table = await spice.sql('SELECT COUNT(*) AS trips FROM taxi_trips');`,
    `console.table(table.toArray());`,
  ].join('\n');
  return (
    <section aria-labelledby="connect-heading" className="space-y-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
      <div>
        <h2 id="connect-heading" className="text-lg font-semibold">
          Connect
        </h2>
        <p className="mt-1 text-sm text-slate-700">
          Send SQL to your app&apos;s runtime with either key in the <code className="font-mono">X-API-Key</code> header.
        </p>
      </div>
      <dl className="text-sm">
        <dt className="font-medium text-slate-800">Endpoint</dt>
        <dd className="mt-1 font-mono">
          {endpoint}
        </dd>
      </dl>
      <figure className="space-y-1">
        <figcaption className="text-sm font-medium text-slate-800">curl</figcaption>
        <pre tabIndex={0} className="overflow-x-auto rounded-md bg-slate-900 p-3 text-xs text-slate-100 focus:outline-2 focus:outline-indigo-600">
          <code>{curl}</code>
        </pre>
      </figure>
      <figure className="space-y-1">
        <figcaption className="text-sm font-medium text-slate-800">JavaScript SDK</figcaption>
        <pre tabIndex={0} className="overflow-x-auto rounded-md bg-slate-900 p-3 text-xs text-slate-100 focus:outline-2 focus:outline-indigo-600">
          <code>{sdk}</code>
        </pre>
      </figure>
    </section>
  );
}
