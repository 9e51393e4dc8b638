import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';

/**
 * Flight's service and messages, loaded from the .proto files beside this module (see their
 * headers for where the field numbers come from). Field names keep the .proto's snake_case
 * everywhere (keepCase): with any other casing the loader silently drops fields.
 */
const PROTO_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'proto');

const packageDefinition = protoLoader.loadSync(path.join(PROTO_DIR, 'flight.proto'), {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
});
const loaded = grpc.loadPackageDefinition(packageDefinition) as unknown as {
  arrow: { flight: { protocol: { FlightService: grpc.ServiceClientConstructor } } };
};
export const flightServiceDefinition = loaded.arrow.flight.protocol.FlightService.service;

const root = new protobuf.Root().loadSync([path.join(PROTO_DIR, 'flight.proto'), path.join(PROTO_DIR, 'flight-sql.proto')], { keepCase: true });

// The wire shapes of the messages the server reads and writes (keepCase names).
export type FlightDescriptor = { type: 'UNKNOWN' | 'PATH' | 'CMD'; cmd: Buffer; path: string[] };
export type Ticket = { ticket: Buffer };
export type FlightData = { flight_descriptor?: FlightDescriptor | null; data_header: Uint8Array; app_metadata?: Uint8Array; data_body: Uint8Array };
export type FlightInfo = {
  schema: Uint8Array;
  flight_descriptor: FlightDescriptor;
  endpoint: { ticket: { ticket: Uint8Array }; location: { uri: string }[] }[];
  total_records: number;
  total_bytes: number;
  ordered: boolean;
};
export type Action = { type: string; body: Buffer };
export type HandshakeRequest = { protocol_version: number; payload: Buffer };

function codec<T extends object>(name: string) {
  const type = root.lookupType(name);
  return {
    /** The type name inside a google.protobuf.Any. */
    typeUrl: `type.googleapis.com/${name}`,
    encode: (message: T): Uint8Array => type.encode(type.fromObject(message)).finish(),
    decode: (bytes: Uint8Array): T => type.toObject(type.decode(bytes), { longs: Number, bytes: Buffer, defaults: true }) as T,
  };
}

const SQL = 'arrow.flight.protocol.sql';
export const messages = {
  basicAuth: codec<{ username: string; password: string }>('arrow.flight.protocol.BasicAuth'),
  any: codec<{ type_url: string; value: Uint8Array }>(`${SQL}.Any`),
  commandStatementQuery: codec<{ query: string }>(`${SQL}.CommandStatementQuery`),
  commandPreparedStatementQuery: codec<{ prepared_statement_handle: Uint8Array }>(`${SQL}.CommandPreparedStatementQuery`),
  commandGetSqlInfo: codec<{ info: number[] }>(`${SQL}.CommandGetSqlInfo`),
  commandGetCatalogs: codec<Record<string, never>>(`${SQL}.CommandGetCatalogs`),
  commandGetDbSchemas: codec<{ catalog?: string; db_schema_filter_pattern?: string }>(`${SQL}.CommandGetDbSchemas`),
  commandGetTables: codec<{
    catalog?: string;
    db_schema_filter_pattern?: string;
    table_name_filter_pattern?: string;
    table_types: string[];
    include_schema: boolean;
  }>(`${SQL}.CommandGetTables`),
  commandGetTableTypes: codec<Record<string, never>>(`${SQL}.CommandGetTableTypes`),
  createPreparedStatementRequest: codec<{ query: string }>(`${SQL}.ActionCreatePreparedStatementRequest`),
  createPreparedStatementResult: codec<{ prepared_statement_handle: Uint8Array; dataset_schema: Uint8Array; parameter_schema: Uint8Array }>(
    `${SQL}.ActionCreatePreparedStatementResult`,
  ),
  closePreparedStatementRequest: codec<{ prepared_statement_handle: Uint8Array }>(`${SQL}.ActionClosePreparedStatementRequest`),
  doPutPreparedStatementResult: codec<{ prepared_statement_handle: Uint8Array }>(`${SQL}.DoPutPreparedStatementResult`),
};

type Codec<T extends object> = ReturnType<typeof codec<T>>;

/** A Flight SQL message wrapped in google.protobuf.Any, as Flight SQL sends every command. */
export function packAny<T extends object>(message: Codec<T>, value: T): Uint8Array {
  return messages.any.encode({ type_url: message.typeUrl, value: message.encode(value) });
}

/** The Any inside a descriptor's or action's bytes, or null when they are not a Flight SQL Any. */
export function unpackAny(bytes: Uint8Array): { typeUrl: string; value: Uint8Array } | null {
  // An Any starts with field 1 (type_url), length-delimited: 0x0a.
  if (bytes.length < 2 || bytes[0] !== 0x0a) return null;
  try {
    const any = messages.any.decode(bytes);
    return any.type_url.startsWith(`type.googleapis.com/${SQL}.`) ? { typeUrl: any.type_url, value: any.value } : null;
  } catch {
    return null;
  }
}
