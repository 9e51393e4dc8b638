import type { JS } from '@duckdb/node-api';

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

export function toRowObjects(columns: string[], rows: JS[][]): Record<string, JsonValue>[] {
  return rows.map((row) => {
    const object: Record<string, JsonValue> = {};
    columns.forEach((column, i) => {
      object[column] = toJsonValue(row[i] ?? null);
    });
    return object;
  });
}

function csvField(value: JsonValue): string {
  if (value === null) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

/** RFC 4180 CSV with a header row. */
export function toCsv(columns: string[], rows: JS[][]): string {
  const lines = [columns.map(csvField).join(',')];
  for (const row of rows) lines.push(columns.map((_, i) => csvField(toJsonValue(row[i] ?? null))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
