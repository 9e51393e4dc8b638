import {
  DuckDBBlobVector,
  DuckDBListVector,
  DuckDBMapVector,
  DuckDBStructVector,
  DuckDBVarCharVector,
  JSDuckDBValueConverter,
  type DuckDBVector,
  type JS,
} from '@duckdb/node-api';
import type { AppError } from '../shared/errors';
import { queryErrors, type QueryStream } from './query-engine';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * A DuckDB value as JSON. Integers beyond 2^53 become strings (never rounded); dates and times
 * become ISO 8601 strings; blobs become base64.
 */
export function toJsonValue(value: JS): JsonValue {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value.toString();
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(toJsonValue);
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, toJsonValue(inner)]));
}

function csvField(value: JsonValue): string {
  if (value === null) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The bytes a range of a vector's values takes in DuckDB, read from its headers without converting them. */
export function vectorBytes(vector: DuckDBVector, from: number, count: number): number {
  if (vector instanceof DuckDBVarCharVector || vector instanceof DuckDBBlobVector) {
    // Each value is a 16-byte header whose first 4 bytes are its length: read the lengths, never
    // the strings. (The vector classes keep the header view private; the element access reads it
    // with its declared type.)
    const view = vector instanceof DuckDBVarCharVector ? vector['dataView'] : vector['dataView'];
    const validity = vector instanceof DuckDBVarCharVector ? vector['validity'] : vector['validity'];
    let total = 16 * count;
    for (let i = from; i < from + count; i++) if (validity.itemValid(i)) total += view.getUint32(i * 16, true);
    return total;
  }
  if (vector instanceof DuckDBListVector) {
    let total = 16 * count;
    for (let i = from; i < from + count; i++) {
      const length = vector.getEntryLength(i);
      if (length > 0) total += vectorBytes(vector.childVector, vector.getEntryOffset(i), length);
    }
    return total;
  }
  if (vector instanceof DuckDBMapVector) return vectorBytes(vector['listVector'], from, count);
  if (vector instanceof DuckDBStructVector) {
    let total = 0;
    for (let entry = 0; entry < vector.type.entryCount; entry++) total += vectorBytes(vector.entryVectorAt(entry), from, count);
    return total;
  }
  return 16 * count;
}

export type ResultFormat = 'json' | 'csv';
export type CollectedResult = { body: string; truncated: boolean };

/**
 * Reads a streamed result chunk by chunk into one HTTP answer, at most `maxRows` rows and
 * `maxBytes` bytes. Each chunk's size is read from DuckDB's vectors before any of its values is
 * converted, and each converted row is counted, so no value, row or result beyond the budget is
 * ever made in JavaScript; passing the budget throws a `result_too_large` AppError naming the setting.
 */
export async function collectResult(stream: QueryStream, limits: { maxRows: number; maxBytes: number; format: ResultFormat }): Promise<CollectedResult> {
  const columns = stream.names;
  const parts: string[] = [];
  let bytes = 0;
  let rows = 0;
  const take = (text: string) => {
    bytes += Buffer.byteLength(text);
    if (bytes > limits.maxBytes) throw resultTooLarge(limits.maxBytes);
    parts.push(text);
  };
  if (limits.format === 'csv') take(`${columns.map(csvField).join(',')}\r\n`);
  else take('[');
  for await (const chunk of stream.chunks) {
    const wanted = Math.min(chunk.rowCount, limits.maxRows - rows);
    if (wanted > 0) {
      let raw = 0;
      for (let column = 0; column < chunk.columnCount; column++) raw += vectorBytes(chunk.getColumnVector(column), 0, wanted);
      if (bytes + raw > limits.maxBytes) throw resultTooLarge(limits.maxBytes);
    }
    for (let row = 0; row < wanted; row++) {
      const values = chunk.convertRowValues(row, JSDuckDBValueConverter);
      if (limits.format === 'csv') {
        take(`${columns.map((_, i) => csvField(toJsonValue(values[i] ?? null))).join(',')}\r\n`);
      } else {
        const object: Record<string, JsonValue> = {};
        columns.forEach((column, i) => {
          object[column] = toJsonValue(values[i] ?? null);
        });
        take(`${rows > 0 ? ',' : ''}${JSON.stringify(object)}`);
      }
      rows += 1;
    }
    if (rows >= limits.maxRows && chunk.rowCount > wanted) {
      stream.close();
      return { body: finish(parts, limits.format), truncated: true };
    }
    if (rows >= limits.maxRows) {
      // The limit was reached exactly at a chunk's end: one more chunk says whether rows remain.
      const next = await stream.chunks[Symbol.asyncIterator]().next();
      stream.close();
      return { body: finish(parts, limits.format), truncated: !next.done && (next.value?.rowCount ?? 0) > 0 };
    }
  }
  return { body: finish(parts, limits.format), truncated: false };
}

function finish(parts: string[], format: ResultFormat): string {
  return format === 'csv' ? parts.join('') : `${parts.join('')}]`;
}

function resultTooLarge(maxBytes: number): AppError {
  return queryErrors.limit(
    'result_too_large',
    `The result is larger than ${maxBytes} bytes (RUNTIME_MAX_RESULT_BYTES); select fewer or smaller columns, or add a LIMIT.`,
  );
}
