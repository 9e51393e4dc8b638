// Who is calling: every call presents an app key (`authorization: Bearer <key>`), checked again
// on each call (nothing found is cached; only digests with no row are remembered) and failures
// counted per address; Handshake takes the key by Basic auth, Bearer or a BasicAuth payload and
// hands it back as the bearer token.
import * as grpc from '@grpc/grpc-js';
import { connectionClientAddress } from '../../shared/http/client-address';
import { authenticateOrRefuse } from '../../shared/http/failure-limiter';
import type { FlightContext, FlightKey } from './context';
import { toStatus } from './errors';
import { flightCallOf } from './observe';
import { messages, type HandshakeRequest } from './protocol';

/**
 * The client's address from a gRPC peer, as the HTTP door reads it: without the port, and an IPv4
 * client on a dual-stack socket as its IPv4 address. grpc-js gives `127.0.0.1:5000` and, for
 * IPv6, `::1:5000` (no brackets); the `ipv4:`/`ipv6:[…]:port` forms are read too. The port must
 * go, or each connection would count its failures apart.
 */
export function peerAddress(peer: string): string {
  const bare = peer.replace(/^(ipv4|ipv6|unix):/, '');
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(bare);
  return connectionClientAddress(bracketed ? bracketed[1]! : bare.replace(/:\d+$/, ''), undefined, false);
}

function bearer(metadata: grpc.Metadata): string | undefined {
  const value = metadata.get('authorization')[0];
  if (typeof value !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(value);
  return match ? match[1] : undefined;
}

/** The key inside `authorization: Basic base64(username:key)`; the username is ignored (Spice: "username can be empty"). */
function basicPassword(metadata: grpc.Metadata): string | undefined {
  const value = metadata.get('authorization')[0];
  if (typeof value !== 'string') return undefined;
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(value);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 ? decoded.slice(colon + 1) : undefined;
}

/**
 * The current key for what the caller presented, or UNAUTHENTICATED (counted against the caller's
 * address); RESOURCE_EXHAUSTED once the address has failed too often (the runtime's one gate).
 */
async function checkKey(context: FlightContext, presented: string | undefined, call: { metadata: grpc.Metadata; getPeer(): string }): Promise<FlightKey> {
  const { deps } = context;
  const key = await authenticateOrRefuse(deps.limiter, peerAddress(call.getPeer()), async () => (presented ? deps.authenticate(presented) : null));
  // The call's log line names the key's app and slot (never the key).
  const record = flightCallOf(call.metadata);
  if (record) {
    record.appId = key.appId;
    record.slot = key.slot;
  }
  deps.onAuthenticated?.(key);
  return key;
}

/** The key of a call, from its bearer token: every call but Handshake starts here. */
export function authorize(context: FlightContext, call: { metadata: grpc.Metadata; getPeer(): string }): Promise<FlightKey> {
  return checkKey(context, bearer(call.metadata), call);
}

export function handshake(context: FlightContext, call: grpc.ServerDuplexStream<HandshakeRequest, unknown>): void {
  let answered = false;
  const answer = (presented: string | undefined) => {
    if (answered) return;
    answered = true;
    checkKey(context, presented, call).then(
      () => {
        const metadata = new grpc.Metadata();
        // The token is the key itself: it can never outlive the key, and every call checks it again.
        metadata.set('authorization', `Bearer ${presented}`);
        call.sendMetadata(metadata);
        call.write({ protocol_version: 0, payload: Buffer.from(presented ?? '') });
        call.end();
      },
      (error: unknown) => call.emit('error', toStatus(error, context.log)),
    );
  };
  const fromHeader = basicPassword(call.metadata) ?? bearer(call.metadata);
  if (fromHeader !== undefined) {
    answer(fromHeader);
    call.on('data', () => undefined);
    return;
  }
  call.on('data', (request: HandshakeRequest) => {
    let password: string | undefined;
    try {
      password = request.payload.length ? messages.basicAuth.decode(request.payload).password : undefined;
    } catch {
      password = undefined;
    }
    answer(password);
  });
  call.on('end', () => answer(undefined));
}
