import * as grpc from '@grpc/grpc-js';
import { handshake } from './auth';
import { MAX_CATALOG_ROWS } from './catalog';
import type { FlightContext, FlightServerDeps } from './context';
import { doGet, getFlightInfo, getSchema, listFlights } from './flight-info';
import { observingInterceptor } from './observe';
import { doAction, doPut, listActions, MAX_PUT_BYTES, UPLOAD_LIMITS, UploadBudget } from './prepared';
import { flightServiceDefinition, type FlightData } from './protocol';
import { PreparedStatements } from './statements';

export type { FlightKey, FlightServerDeps } from './context';

export type FlightServer = {
  /** Listens; resolves with the bound port (useful with port 0). */
  start(port: number, host: string): Promise<number>;
  /** Stops accepting calls, cancels running ones and frees every prepared statement. */
  close(): Promise<void>;
  /** DoGet streams open now. */
  openStreams(): number;
};

/**
 * The gRPC server's options: each connection runs at most 100 calls at once, is closed after 5
 * minutes without a call and after an hour in any case (calls still running get 5 minutes more
 * to finish); clients send small messages (SQL, parameter batches: at most 1 MiB and 64 KiB),
 * results go the other way in messages under 4 MiB.
 */
const GRPC_SERVER_OPTIONS = {
  'grpc.max_concurrent_streams': 100,
  'grpc.max_connection_idle_ms': 5 * 60_000,
  'grpc.max_connection_age_ms': 60 * 60_000,
  'grpc.max_connection_age_grace_ms': 5 * 60_000,
  // A client's message is SQL (64 KiB at most) or a parameter batch (1 MiB at most).
  'grpc.max_receive_message_length': MAX_PUT_BYTES + 64 * 1024,
  'grpc.max_send_message_length': 4 * 1024 * 1024,
} satisfies grpc.ServerOptions;

/** The Flight service: the handlers of auth.ts, flight-info.ts and prepared.ts, sharing one context. */
export function createFlightServer(deps: FlightServerDeps): FlightServer {
  const context: FlightContext = {
    deps,
    statements: new PreparedStatements({
      ttlMs: deps.statements?.ttlMs ?? 5 * 60_000,
      perKey: deps.statements?.perKey ?? 64,
      total: deps.statements?.total ?? 10_000,
    }),
    running: new Set(),
    uploads: new UploadBudget({ ...UPLOAD_LIMITS, ...deps.uploads }),
    log: deps.log ?? (() => undefined),
    limits: {
      stallTimeoutMs: deps.stallTimeoutMs ?? 30_000,
      putIdleMs: deps.putIdleMs ?? 5_000,
      maxCatalogRows: deps.maxCatalogRows ?? MAX_CATALOG_ROWS,
    },
  };
  const withContext =
    <Args extends unknown[]>(handler: (context: FlightContext, ...args: Args) => void) =>
    (...args: Args) =>
      handler(context, ...args);

  // Every call gets a request id, echoed in its headers and trailers, and is counted and logged as it ends.
  const server = new grpc.Server({ ...GRPC_SERVER_OPTIONS, interceptors: [observingInterceptor((call) => deps.onCall?.(call))] });
  server.addService(flightServiceDefinition, {
    Handshake: withContext(handshake),
    GetFlightInfo: withContext(getFlightInfo),
    GetSchema: withContext(getSchema),
    DoGet: withContext(doGet),
    ListFlights: withContext(listFlights),
    DoPut: withContext(doPut),
    DoAction: withContext(doAction),
    ListActions: withContext(listActions),
    DoExchange(call: grpc.ServerDuplexStream<FlightData, FlightData>) {
      call.emit('error', { code: grpc.status.UNIMPLEMENTED, details: 'DoExchange is not supported.' });
    },
  } satisfies grpc.UntypedServiceImplementation);

  return {
    openStreams: () => context.running.size,
    start(port, host) {
      const credentials = deps.tls
        ? grpc.ServerCredentials.createSsl(null, [{ cert_chain: deps.tls.cert, private_key: deps.tls.key }], false)
        : grpc.ServerCredentials.createInsecure();
      return new Promise((resolve, reject) => {
        server.bindAsync(`${host.includes(':') ? `[${host}]` : host}:${port}`, credentials, (error, bound) => (error ? reject(error) : resolve(bound)));
      });
    },
    close() {
      for (const abort of context.running) abort.abort(new Error('server closing'));
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 2000);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}
