// A bare gRPC client for the Flight service, for checking the wire itself: what each call answers,
// message by message, with the key where we choose to put it.
import * as grpc from '@grpc/grpc-js';
import { flightServiceDefinition, messages, packAny, type FlightData, type FlightDescriptor, type FlightInfo } from '@/lib/runtime/flight/protocol';

type Call = grpc.ClientReadableStream<unknown> & grpc.ClientDuplexStream<unknown, unknown>;
type Method = (...args: unknown[]) => Call;
type Raw = grpc.Client & Record<'Handshake' | 'GetFlightInfo' | 'GetSchema' | 'DoGet' | 'DoAction' | 'DoPut', Method>;

/** A plain gRPC client class for the service the server implements, from the same definition. */
const FlightServiceClient = grpc.makeGenericClientConstructor(flightServiceDefinition, 'FlightService');

export function rawClient(port: number) {
  const client = new FlightServiceClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
    'grpc.max_receive_message_length': 4 * 1024 * 1024,
  }) as unknown as Raw;
  const auth = (key: string | null) => {
    const metadata = new grpc.Metadata();
    if (key !== null) metadata.set('authorization', `Bearer ${key}`);
    return metadata;
  };
  const collect = <T>(call: Call) =>
    new Promise<T[]>((resolve, reject) => {
      const items: T[] = [];
      call.on('data', (item: T) => items.push(item));
      call.on('error', reject);
      call.on('end', () => resolve(items));
    });

  return {
    close: () => client.close(),
    handshake(payload: Buffer | null, metadata = new grpc.Metadata()) {
      return new Promise<{ token: string | undefined; responses: { payload: Buffer }[] }>((resolve, reject) => {
        const call = client.Handshake(metadata);
        let token: string | undefined;
        call.on('metadata', (m: grpc.Metadata) => (token = m.get('authorization')[0] as string | undefined));
        collect<{ payload: Buffer }>(call).then((responses) => resolve({ token, responses }), reject);
        if (payload) call.write({ protocol_version: 0, payload });
        call.end();
      });
    },
    getFlightInfo(key: string | null, cmd: Uint8Array) {
      return new Promise<FlightInfo>((resolve, reject) => {
        client.GetFlightInfo({ type: 'CMD', cmd: Buffer.from(cmd) } satisfies Partial<FlightDescriptor>, auth(key), (error: Error | null, info: FlightInfo) =>
          error ? reject(error) : resolve(info),
        );
      });
    },
    getSchema(key: string | null, cmd: Uint8Array) {
      return new Promise<{ schema: Buffer }>((resolve, reject) => {
        client.GetSchema(
          { type: 'CMD', cmd: Buffer.from(cmd) } satisfies Partial<FlightDescriptor>,
          auth(key),
          (error: Error | null, result: { schema: Buffer }) => (error ? reject(error) : resolve(result)),
        );
      });
    },
    doGet(key: string | null, ticket: Uint8Array) {
      return collect<FlightData>(client.DoGet({ ticket }, auth(key)));
    },
    /** Starts a DoGet and hands back the live call (to cancel it). */
    startDoGet(key: string | null, ticket: Uint8Array) {
      return client.DoGet({ ticket }, auth(key)) as grpc.ClientReadableStream<FlightData>;
    },
    doAction(key: string | null, type: string, body: Uint8Array) {
      return collect<{ body: Buffer }>(client.DoAction({ type, body }, auth(key)));
    },
    /** Starts a DoPut and hands back the live call (to write to it, or not, at the test's pace). */
    startDoPut(key: string | null) {
      const call = client.DoPut(auth(key));
      return { call, results: collect<{ app_metadata: Buffer }>(call) };
    },
    doPut(key: string | null, data: Partial<FlightData>[]) {
      const call = client.DoPut(auth(key));
      const results = collect<{ app_metadata: Buffer }>(call);
      for (const item of data) call.write(item);
      call.end();
      return results;
    },
  };
}

export const statementQuery = (sql: string) => packAny(messages.commandStatementQuery, { query: sql });
export const preparedQuery = (handle: Uint8Array) => packAny(messages.commandPreparedStatementQuery, { prepared_statement_handle: handle });
