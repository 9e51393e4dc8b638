// The portal's HTTP server: Next.js's request handler behind the few lines Next.js cannot do
// (lib/shared/http/portal-front.ts): the client address from the connection, forged forwarding
// headers dropped unless TRUST_PROXY, and a Host the portal can trust. `npm start` runs it
// (instead of `next start`); `--dev` runs Next.js's development server behind it.
//
// Plain JavaScript run by node, not through tsx: a TypeScript loader hooked into the process
// would sit in front of every module Next.js loads while serving. Only our one TypeScript
// module is loaded through tsx, with a loader scoped to it.
import http from 'node:http';
import next from 'next';
import { tsImport } from 'tsx/esm/api';

const { frontConfig, frontRequestHeaders } = await tsImport('../lib/shared/http/portal-front.ts', import.meta.url);

const dev = process.argv.includes('--dev');
const port = Number(process.env.PORT ?? 3000);
const config = frontConfig();

const app = next({ dev, dir: process.cwd(), hostname: config.publicUrl.hostname, port });
const handle = app.getRequestHandler();
await app.prepare();

const server = http.createServer((req, res) => {
  frontRequestHeaders(req.headers, req.socket.remoteAddress, config);
  void handle(req, res);
});
// As `next start`: keep-alive connections outlive a load balancer's idle timeout.
server.keepAliveTimeout = 65_000;
server.listen(port, () =>
  console.log(`Portal listening on http://localhost:${port}${config.trustProxy ? ' (TRUST_PROXY: client addresses from X-Forwarded-For)' : ''}`),
);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
}
