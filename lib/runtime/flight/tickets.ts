import { createHmac, timingSafeEqual } from 'node:crypto';
import { DataType, tableFromIPC, type Field } from 'apache-arrow';
import type { QueryParameters } from '../query-engine';
import { AppError } from '../../shared/errors';

/**
 * A DoGet ticket carries what to run: the app, the SQL and its bound parameters, signed with
 * HMAC-SHA256 under a secret every runtime instance shares (flightTicketSecret), so any instance
 * redeems it and nobody else can make one: the builtin answers in particular are never taken
 * from a client's say-so. DoGet still runs it only for a current key of the same app.
 */
export type TicketContent = {
  appId: number;
  sql: string;
  parameters: QueryParameters;
  /**
   * Answers built by the server rather than read as they are: GetTables with include_schema (the
   * SQL lists the tables, each row gains its table's schema) and GetSqlInfo (the parameters are
   * the requested info numbers).
   */
  builtin?: 'tables-with-schemas' | 'sql-info';
};

/** `spt2:<base64url HMAC-SHA256 of the JSON>.<JSON>` */
const PREFIX = 'spt2:';
const MAC_LENGTH = 43; // 32 bytes in unpadded base64url

/** The ticket key, derived from KEY_DIGEST_SECRET (which every instance shares) for this use only. */
export function flightTicketSecret(digestSecret: Buffer): Buffer {
  return createHmac('sha256', digestSecret).update('flight-ticket').digest();
}

const mac = (secret: Buffer, payload: string) => createHmac('sha256', secret).update(payload).digest();

type Tagged = { $bigint: string } | { $bytes: string };

function tag(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return { $bigint: value.toString() } satisfies Tagged;
  if (value instanceof Uint8Array) return { $bytes: Buffer.from(value).toString('base64') } satisfies Tagged;
  return value;
}

function untag(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === '$bigint') return BigInt((value as { $bigint: string }).$bigint);
    if (keys.length === 1 && keys[0] === '$bytes') return new Uint8Array(Buffer.from((value as { $bytes: string }).$bytes, 'base64'));
  }
  return value;
}

export function encodeTicket(content: TicketContent, secret: Buffer): Buffer {
  // Buffer's own toJSON would run before the replacer sees it: parameters hold Uint8Arrays only.
  const payload = JSON.stringify({ a: content.appId, s: content.sql, p: content.parameters, ...(content.builtin ? { b: content.builtin } : {}) }, tag);
  return Buffer.from(`${PREFIX}${mac(secret, payload).toString('base64url')}.${payload}`);
}

/** The ticket's content when it is one of ours, signed, for this app; null otherwise ("unknown ticket"). */
export function decodeTicket(bytes: Uint8Array, appId: number, secret: Buffer): TicketContent | null {
  const text = Buffer.from(bytes).toString('utf8');
  if (!text.startsWith(PREFIX) || text[PREFIX.length + MAC_LENGTH] !== '.') return null;
  const presented = Buffer.from(text.slice(PREFIX.length, PREFIX.length + MAC_LENGTH), 'base64url');
  const payload = text.slice(PREFIX.length + MAC_LENGTH + 1);
  const expected = mac(secret, payload);
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) return null;
  try {
    const parsed = JSON.parse(payload, untag) as { a?: unknown; s?: unknown; p?: unknown; b?: unknown };
    if (parsed.a !== appId || typeof parsed.s !== 'string' || typeof parsed.p !== 'object' || parsed.p === null) return null;
    return {
      appId,
      sql: parsed.s,
      parameters: parsed.p as QueryParameters,
      ...(parsed.b === 'tables-with-schemas' || parsed.b === 'sql-info' ? { builtin: parsed.b } : {}),
    };
  } catch {
    return null;
  }
}

function parameterValue(field: Field, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (DataType.isTimestamp(field.type) || DataType.isDate(field.type)) {
    // Arrow hands dates and timestamps over as milliseconds since the epoch.
    const ms = value instanceof Date ? value.getTime() : Number(value);
    return new Date(ms).toISOString();
  }
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (value instanceof Uint8Array) return value;
  throw new AppError('invalid', `Parameter ${field.name} has a type that cannot be bound (${String(field.type)}).`);
}

/** The bare name of a parameter column: `$1` → `1`, `$name`/`:name`/`@name` → `name`. */
function bareName(name: string): string {
  return name.replace(/^[$:@]/, '');
}

/**
 * The parameters of a statement from the one-row Arrow batch a client binds with DoPut. Positional
 * statements ($1, $2, … or ?) take the columns by their number when they are named so, else in
 * order; named statements take them by name.
 */
export function parametersFromIpc(ipc: Uint8Array, statement: { parameterCount: number; parameterNames: string[] }): QueryParameters {
  const table = ipc.byteLength === 0 ? null : tableFromIPC(ipc);
  if (table && table.numRows > 1) throw new AppError('invalid', 'Bind one row of parameters per query.');
  const fields = table && table.numRows === 1 ? table.schema.fields : [];
  const values = fields.map((field, i) => parameterValue(field, table!.getChildAt(i)!.get(0)));
  if (fields.length !== statement.parameterCount) {
    throw new AppError('invalid', `The query has ${statement.parameterCount} parameter(s) but ${fields.length} were given.`);
  }
  const positional = statement.parameterNames.every((name) => /^\d+$/.test(name));
  if (positional) {
    const numbered = fields.map((field) => Number(bareName(field.name)));
    const byNumber = numbered.every((n) => Number.isInteger(n) && n >= 1 && n <= fields.length) && new Set(numbered).size === fields.length;
    if (!byNumber) return values;
    const ordered: unknown[] = new Array(fields.length);
    numbered.forEach((n, i) => (ordered[n - 1] = values[i]));
    return ordered;
  }
  const named: Record<string, unknown> = {};
  fields.forEach((field, i) => (named[bareName(field.name)] = values[i]));
  for (const name of statement.parameterNames) {
    if (!(name in named)) throw new AppError('invalid', `No value was given for parameter $${name}.`);
  }
  return named;
}
