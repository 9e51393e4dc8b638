'use client';

import { CopyableValue, CopyButton } from '@/components/keys/copy-button';
import { useKeys } from '@/components/keys/keys-context';
import { Card } from '@/components/ui/card';
import { maskApiKey } from '@/lib/shared/keys/display';

const EXAMPLE_SQL = 'SELECT passenger_count, COUNT(*) AS trips FROM taxi_trips GROUP BY 1 ORDER BY 1';

export function curlCommand(endpoint: string, key: string): string {
  return [
    `export SPICE_API_KEY=${key}`,
    `curl -X POST ${endpoint}/v1/sql \\`,
    `  -H "X-API-Key: $SPICE_API_KEY" \\`,
    `  -H "Content-Type: text/plain" \\`,
    `  -d "${EXAMPLE_SQL}"`,
  ].join('\n');
}

/** A runnable SDK script with the key and the given client options. */
function sdkScript(key: string, options: string[]): string {
  return [
    `// npm install @spiceai/spice`,
    `import { SpiceClient } from '@spiceai/spice';`,
    ``,
    `const spice = new SpiceClient({`,
    `  apiKey: process.env.SPICE_API_KEY ?? '${key}',`,
    ...options.map((option) => `  ${option}`),
    `});`,
    `const table = await spice.sql('${EXAMPLE_SQL}');`,
    `console.table(table.toArray());`,
  ].join('\n');
}

export function sdkExample(endpoint: string, key: string): string {
  return sdkScript(key, [`httpUrl: '${endpoint}',`, `httpOnly: true,`]);
}

/** The SDK on Arrow Flight, Spice's recommended door for production and large results. */
export function flightSdkExample(flightUrl: string, certificate: string | null, key: string): string {
  const url = new URL(flightUrl.replace(/^grpc(\+tls)?:/, 'http:'));
  const tls = flightUrl.startsWith('grpc+tls:');
  return sdkScript(key, [
    `flightUrl: '${url.host}',`,
    `flightTlsEnabled: ${tls},`,
    ...(tls && certificate ? [`tlsRootCertFile: '${certificate}', // the runtime's self-signed certificate`] : []),
    `flightOnly: true, // never fall back to HTTP`,
  ]);
}

function Snippet({ title, what, shown, copy }: { title: string; what: string; shown: string; copy: () => Promise<string> }) {
  return (
    <figure className="space-y-1">
      <div className="flex items-center justify-between gap-2">
        <figcaption className="text-sm font-medium text-slate-800">{title}</figcaption>
        <CopyButton what={what} text={copy} />
      </div>
      <pre tabIndex={0} className="overflow-x-auto rounded-md bg-slate-900 p-3 text-xs text-slate-100 focus:outline-2 focus:outline-indigo-600">
        <code>{shown}</code>
      </pre>
    </figure>
  );
}

/**
 * How to use the keys: the runtime's endpoint, a curl command and an SDK example with API Key 1.
 * The page shows them masked; the Copy buttons copy runnable text with the real, current key.
 */
export function ConnectPanel({ endpoint, flightUrl, flightCertificate }: { endpoint: string; flightUrl: string; flightCertificate: string | null }) {
  const keys = useKeys();
  const masked = maskApiKey(keys.view(1).key);
  const currentKey = async () => (await keys.ensureCurrent(1)).key;
  return (
    <Card
      id="connect-heading"
      title="Connect"
      intro={
        <>
          Query your app&apos;s runtime with either key: over HTTP in the <code className="font-mono">X-API-Key</code> header, or over Arrow Flight as the
          password of a Basic handshake. The examples use API Key 1; the Copy buttons copy them with the real key, ready to run.
        </>
      }
    >
      <CopyableValue label="Endpoint" value={endpoint} what="endpoint" text={() => endpoint} />
      <CopyableValue label="Arrow Flight" value={flightUrl} what="Flight address" text={() => flightUrl} />
      <Snippet title="curl" what="curl command" shown={curlCommand(endpoint, masked)} copy={async () => curlCommand(endpoint, await currentKey())} />
      <Snippet
        title="JavaScript SDK over Arrow Flight (streamed, columnar, no row limit)"
        what="Flight SDK example"
        shown={flightSdkExample(flightUrl, flightCertificate, masked)}
        copy={async () => flightSdkExample(flightUrl, flightCertificate, await currentKey())}
      />
      <Snippet
        title="JavaScript SDK over HTTP"
        what="SDK example"
        shown={sdkExample(endpoint, masked)}
        copy={async () => sdkExample(endpoint, await currentKey())}
      />
    </Card>
  );
}
