// What the Flight door tells the operator about each call: a server interceptor that gives the
// call its request id (the client's `x-request-id` when short and printable, else a new one),
// sends it back in the response headers and trailers, and, when the call ends, hands its method,
// status, duration, error code and the key's app id and slot (once authorize() knew them) to
// the runtime's metrics and log line. Nothing of the call's content: no key, no SQL.
import * as grpc from '@grpc/grpc-js';
import type { ErrorCode } from '../../shared/errors';
import { requestId } from '../../shared/logger';
import { errorCodeOf } from './errors';

export type FlightCall = {
  id: string;
  /** The RPC's name: DoGet, GetFlightInfo, Handshake… */
  method: string;
  started: number;
  appId?: number;
  slot?: number;
};

export type FlightCallEnd = FlightCall & { status: string; errorCode?: ErrorCode; ms: number };

/** Each call's record, by the metadata object its handler sees as `call.metadata`. */
const calls = new WeakMap<grpc.Metadata, FlightCall>();

/** The record of the call whose request metadata this is (authorize() notes the key's app and slot on it). */
export const flightCallOf = (metadata: grpc.Metadata): FlightCall | undefined => calls.get(metadata);

const STATUS_NAMES = new Map<number, string>(Object.entries(grpc.status).flatMap(([name, code]) => (typeof code === 'number' ? [[code, name]] : [])));

export function observingInterceptor(onEnd: (call: FlightCallEnd) => void): grpc.ServerInterceptor {
  return (method, inner) => {
    const call: FlightCall = { id: '', method: method.path.split('/').pop() ?? method.path, started: performance.now() };
    let ended = false;
    const end = (status: number, errorCode?: ErrorCode) => {
      if (ended) return;
      ended = true;
      onEnd({ ...call, status: STATUS_NAMES.get(status) ?? String(status), errorCode, ms: performance.now() - call.started });
    };
    const id = () => (call.id ||= requestId(undefined));
    return new grpc.ServerInterceptingCall(inner, {
      start(next) {
        next({
          onReceiveMetadata(metadata, forward) {
            call.id = requestId(metadata.get('x-request-id')[0]);
            calls.set(metadata, call);
            forward(metadata);
          },
          onCancel() {
            end(grpc.status.CANCELLED, 'cancelled');
          },
        });
      },
      sendMetadata(metadata, next) {
        metadata.set('x-request-id', id());
        next(metadata);
      },
      sendStatus(status, next) {
        const trailers = status.metadata ?? new grpc.Metadata();
        const errorCode = errorCodeOf(status.metadata);
        trailers.set('x-request-id', id());
        end(status.code, errorCode);
        next({ ...status, metadata: trailers });
      },
    });
  };
}
