import duckdb from '@duckdb/node-bindings';
import { DuckDBArrayVector, DuckDBTypeId, type DuckDBDataChunk, type DuckDBType, type DuckDBVector } from '@duckdb/node-api';
import {
  Binary,
  Bool,
  DateDay,
  Decimal,
  Field,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  RecordBatch,
  Schema,
  Struct,
  TimeMicrosecond,
  TimestampMicrosecond,
  TimestampMillisecond,
  TimestampNanosecond,
  TimestampSecond,
  Uint16,
  Uint32,
  Uint64,
  Uint8,
  Utf8,
  makeData,
  vectorFromArray,
  type Data,
} from 'apache-arrow';
import { vectorBytes } from '../results';

/**
 * DuckDB results as Arrow record batches, read from DuckDB's vectors directly: fixed-width
 * columns are one copy of DuckDB's buffer, strings are copied byte for byte, and no JS value is
 * made per cell except for the rare types without an Arrow twin here (intervals, lists, structs,
 * maps, UUIDs, enums), which travel as their text.
 */

/** Several DuckDB chunks become one Arrow batch: fewer, larger messages cost less on both sides. */
type Chunks = readonly DuckDBDataChunk[];

type Converter = {
  field: Field;
  convert(chunks: Chunks, column: number, rows: number): Data;
  /** About how many Arrow bytes this column of the chunk will take. */
  estimate(chunk: DuckDBDataChunk, column: number): number;
  /**
   * For columns that make a JS value per cell: rows `from` to `from + count` of the chunk's
   * vector, so that a chunk of big values is converted a few rows at a time.
   */
  convertRows?(vector: DuckDBVector, from: number, count: number): Data;
};

const POPCOUNT = Uint8Array.from({ length: 256 }, (_, byte) => {
  let count = 0;
  for (let bits = byte; bits; bits >>= 1) count += bits & 1;
  return count;
});

function rawVector(chunk: DuckDBDataChunk, column: number): duckdb.Vector {
  return duckdb.data_chunk_get_vector(chunk.chunk, column);
}

/**
 * The columns' validity as one Arrow bitmap. DuckDB's mask (64-bit words, least significant bit
 * first) is Arrow's bitmap on little-endian machines, so chunks that start on a byte boundary are
 * copied byte for byte (every chunk but the last holds 2048 rows); others bit by bit.
 */
function validity(chunks: Chunks, column: number, rows: number): { nullBitmap?: Uint8Array; nullCount: number } {
  const masks = chunks.map((chunk) => duckdb.vector_get_validity(rawVector(chunk, column), Math.ceil(chunk.rowCount / 64) * 8) as Uint8Array | null);
  if (masks.every((mask) => !mask)) return { nullCount: 0 };
  const bytes = Math.ceil(rows / 8);
  const nullBitmap = new Uint8Array(bytes);
  let offset = 0;
  chunks.forEach((chunk, c) => {
    const n = chunk.rowCount;
    const mask = masks[c];
    if (offset % 8 === 0 && (mask || n % 8 === 0)) {
      if (mask) nullBitmap.set(mask.subarray(0, Math.ceil(n / 8)), offset / 8);
      else nullBitmap.fill(0xff, offset / 8, (offset + n) / 8);
      // DuckDB's mask may have bits set past the chunk's last row: clear them for the next chunk.
      if (n % 8) nullBitmap[(offset + n) >> 3]! &= (1 << (n % 8)) - 1;
    } else {
      for (let i = 0; i < n; i++) {
        if (!mask || mask[i >> 3]! & (1 << (i & 7))) nullBitmap[(offset + i) >> 3]! |= 1 << ((offset + i) & 7);
      }
    }
    offset += n;
  });
  if (rows % 8) nullBitmap[bytes - 1]! &= (1 << (rows % 8)) - 1;
  let valid = 0;
  for (let i = 0; i < bytes; i++) valid += POPCOUNT[nullBitmap[i]!]!;
  const nullCount = rows - valid;
  return nullCount === 0 ? { nullCount: 0 } : { nullBitmap, nullCount };
}

/** The chunks' data for one column, one after the other: `width` bytes a row. */
function copyData(chunks: Chunks, column: number, rows: number, width: number): ArrayBuffer {
  const copy = new Uint8Array(rows * width);
  let offset = 0;
  for (const chunk of chunks) {
    const bytes = chunk.rowCount * width;
    copy.set(duckdb.vector_get_data(rawVector(chunk, column), bytes).subarray(0, bytes), offset);
    offset += bytes;
  }
  return copy.buffer;
}

type FixedWidthType =
  | Int8
  | Int16
  | Int32
  | Int64
  | Uint8
  | Uint16
  | Uint32
  | Uint64
  | Float32
  | Float64
  | DateDay
  | TimeMicrosecond
  | TimestampSecond
  | TimestampMillisecond
  | TimestampMicrosecond
  | TimestampNanosecond;

function fixedWidth(name: string, type: FixedWidthType, width: number, view: (buffer: ArrayBuffer) => ArrayBufferView): Converter {
  return {
    field: new Field(name, type, true),
    convert(chunks, column, rows) {
      const data = view(copyData(chunks, column, rows, width));
      return makeData({ type, length: rows, data, ...validity(chunks, column, rows) } as Parameters<typeof makeData>[0]) as Data;
    },
    estimate: (chunk) => chunk.rowCount * width,
  };
}

function boolean(name: string): Converter {
  const type = new Bool();
  return {
    field: new Field(name, type, true),
    convert(chunks, column, rows) {
      const bits = new Uint8Array(Math.ceil(rows / 8));
      let offset = 0;
      for (const chunk of chunks) {
        const n = chunk.rowCount;
        const bytes = duckdb.vector_get_data(rawVector(chunk, column), n);
        for (let i = 0; i < n; i++) if (bytes[i]) bits[(offset + i) >> 3]! |= 1 << ((offset + i) & 7);
        offset += n;
      }
      return makeData({ type, length: rows, data: bits, ...validity(chunks, column, rows) });
    },
    estimate: (chunk) => chunk.rowCount / 8,
  };
}

/** DECIMAL(width, scale) is stored as int16/int32/int64/int128 by width; Arrow wants 16 little-endian bytes. */
function decimal(name: string, width: number, scale: number): Converter {
  const type = new Decimal(scale, width, 128);
  const sourceBytes = width <= 4 ? 2 : width <= 9 ? 4 : width <= 18 ? 8 : 16;
  return {
    field: new Field(name, type, true),
    convert(chunks, column, rows) {
      const source = copyData(chunks, column, rows, sourceBytes);
      const out = new Int32Array(rows * 4);
      if (sourceBytes === 16) {
        out.set(new Int32Array(source));
      } else if (sourceBytes === 8) {
        const words = new Int32Array(source);
        for (let i = 0; i < rows; i++) {
          const high = words[2 * i + 1]!;
          const sign = high < 0 ? -1 : 0;
          out[4 * i] = words[2 * i]!;
          out[4 * i + 1] = high;
          out[4 * i + 2] = sign;
          out[4 * i + 3] = sign;
        }
      } else {
        const values = sourceBytes === 4 ? new Int32Array(source) : new Int16Array(source);
        for (let i = 0; i < rows; i++) {
          const value = values[i]!;
          const sign = value < 0 ? -1 : 0;
          out[4 * i] = value;
          out[4 * i + 1] = sign;
          out[4 * i + 2] = sign;
          out[4 * i + 3] = sign;
        }
      }
      return makeData({ type, length: rows, data: new Uint32Array(out.buffer), ...validity(chunks, column, rows) });
    },
    estimate: (chunk) => chunk.rowCount * 16,
  };
}

/** DuckDB keeps each VARCHAR or BLOB as a 16-byte string_t: the length, then up to 12 bytes inline, or a prefix and a pointer. */
function stringViews(chunk: DuckDBDataChunk, column: number): DataView {
  const raw = duckdb.vector_get_data(rawVector(chunk, column), chunk.rowCount * 16);
  return new DataView(raw.buffer, raw.byteOffset, chunk.rowCount * 16);
}

/** VARCHAR and BLOB: the bytes are copied into Arrow's offsets + values, no JS string is made. */
function variableWidth(name: string, type: Utf8 | Binary): Converter {
  return {
    field: new Field(name, type, true),
    convert(chunks, column, rows) {
      const nulls = validity(chunks, column, rows);
      const valid = (i: number) => !nulls.nullBitmap || (nulls.nullBitmap[i >> 3]! & (1 << (i & 7))) !== 0;
      const views = chunks.map((chunk) => stringViews(chunk, column));
      const offsets = new Int32Array(rows + 1);
      let total = 0;
      let row = 0;
      chunks.forEach((chunk, c) => {
        const view = views[c]!;
        for (let i = 0, n = chunk.rowCount; i < n; i++, row++) {
          if (valid(row)) total += view.getUint32(i * 16, true);
          offsets[row + 1] = total;
        }
      });
      const values = new Uint8Array(total);
      row = 0;
      chunks.forEach((chunk, c) => {
        const view = views[c]!;
        for (let i = 0, n = chunk.rowCount; i < n; i++, row++) {
          const length = offsets[row + 1]! - offsets[row]!;
          if (length === 0) continue;
          const at = view.byteOffset + i * 16;
          values.set(
            length <= 12 ? new Uint8Array(view.buffer, at + 4, length) : duckdb.get_data_from_pointer(view.buffer as ArrayBuffer, at + 8, length),
            offsets[row],
          );
        }
      });
      return makeData({ type, length: rows, valueOffsets: offsets, data: values, ...nulls } as Parameters<typeof makeData>[0]) as Data;
    },
    estimate(chunk, column) {
      const view = stringViews(chunk, column);
      const n = view.byteLength / 16;
      let bytes = n * 4;
      for (let i = 0; i < n; i++) bytes += view.getUint32(i * 16, true);
      return bytes;
    },
  };
}

/** The bytes a vector's first `count` values take in DuckDB: vectorBytes, and fixed-size ARRAYs by their elements. */
function valueBytes(vector: DuckDBVector, count: number): number {
  if (vector instanceof DuckDBArrayVector) {
    const length = vector.type.length;
    return 16 * count + valueBytes(vector['childData'] as DuckDBVector, count * length);
  }
  return vectorBytes(vector, 0, count);
}

/** Types without a direct Arrow counterpart here travel as DuckDB's text for the value. */
function asText(name: string): Converter {
  const type = new Utf8();
  const texts = (vector: DuckDBVector, from: number, count: number, into: (string | null)[], at: number) => {
    for (let i = 0; i < count; i++) {
      const value = vector.getItem(from + i);
      into[at + i] = value === null ? null : String(value);
    }
  };
  return {
    field: new Field(name, type, true),
    convert(chunks, column, rows) {
      const all: (string | null)[] = new Array(rows);
      let row = 0;
      for (const chunk of chunks) {
        texts(chunk.getColumnVector(column), 0, chunk.rowCount, all, row);
        row += chunk.rowCount;
      }
      return vectorFromArray(all, type).data[0]!;
    },
    convertRows(vector, from, count) {
      const some: (string | null)[] = new Array(count);
      texts(vector, from, count, some, 0);
      return vectorFromArray(some, type).data[0]!;
    },
    // The values' size in DuckDB (lists and structs element by element, strings by their length),
    // read from the vectors' headers: about the size of their text, and never a JS value made.
    estimate: (chunk, column) => valueBytes(chunk.getColumnVector(column), chunk.rowCount),
  };
}

function converterFor(name: string, type: DuckDBType): Converter {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return boolean(name);
    case DuckDBTypeId.TINYINT:
      return fixedWidth(name, new Int8(), 1, (b) => new Int8Array(b));
    case DuckDBTypeId.SMALLINT:
      return fixedWidth(name, new Int16(), 2, (b) => new Int16Array(b));
    case DuckDBTypeId.INTEGER:
      return fixedWidth(name, new Int32(), 4, (b) => new Int32Array(b));
    case DuckDBTypeId.BIGINT:
      return fixedWidth(name, new Int64(), 8, (b) => new BigInt64Array(b));
    case DuckDBTypeId.UTINYINT:
      return fixedWidth(name, new Uint8(), 1, (b) => new Uint8Array(b));
    case DuckDBTypeId.USMALLINT:
      return fixedWidth(name, new Uint16(), 2, (b) => new Uint16Array(b));
    case DuckDBTypeId.UINTEGER:
      return fixedWidth(name, new Uint32(), 4, (b) => new Uint32Array(b));
    case DuckDBTypeId.UBIGINT:
      return fixedWidth(name, new Uint64(), 8, (b) => new BigUint64Array(b));
    case DuckDBTypeId.FLOAT:
      return fixedWidth(name, new Float32(), 4, (b) => new Float32Array(b));
    case DuckDBTypeId.DOUBLE:
      return fixedWidth(name, new Float64(), 8, (b) => new Float64Array(b));
    case DuckDBTypeId.DATE:
      return fixedWidth(name, new DateDay(), 4, (b) => new Int32Array(b));
    case DuckDBTypeId.TIME:
      return fixedWidth(name, new TimeMicrosecond(), 8, (b) => new BigInt64Array(b));
    case DuckDBTypeId.TIMESTAMP:
      return fixedWidth(name, new TimestampMicrosecond(), 8, (b) => new BigInt64Array(b));
    case DuckDBTypeId.TIMESTAMP_TZ:
      return fixedWidth(name, new TimestampMicrosecond('UTC'), 8, (b) => new BigInt64Array(b));
    case DuckDBTypeId.TIMESTAMP_S:
      return fixedWidth(name, new TimestampSecond(), 8, (b) => new BigInt64Array(b));
    case DuckDBTypeId.TIMESTAMP_MS:
      return fixedWidth(name, new TimestampMillisecond(), 8, (b) => new BigInt64Array(b));
    case DuckDBTypeId.TIMESTAMP_NS:
      return fixedWidth(name, new TimestampNanosecond(), 8, (b) => new BigInt64Array(b));
    case DuckDBTypeId.DECIMAL:
      return decimal(name, type.width, type.scale);
    case DuckDBTypeId.HUGEINT:
      return decimal(name, 38, 0);
    case DuckDBTypeId.VARCHAR:
      return variableWidth(name, new Utf8());
    case DuckDBTypeId.BLOB:
      return variableWidth(name, new Binary());
    default:
      return asText(name);
  }
}

/** Arrow column names must be unique for most clients: repeated names get a suffix, as DuckDB's readers do. */
function uniqueNames(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((name) => {
    const count = seen.get(name) ?? 0;
    seen.set(name, count + 1);
    return count === 0 ? name : `${name}_${count}`;
  });
}

export type ChunkConverter = {
  schema: Schema;
  /** One record batch from one or more chunks, in order. */
  toBatch(chunks: Chunks): RecordBatch;
  /**
   * One chunk as record batches of `rowsPerBatch` rows: the columns made of JS values are
   * converted one batch at a time (the others at once: they are copies of DuckDB's buffers).
   */
  toBatches(chunk: DuckDBDataChunk, rowsPerBatch: number): Generator<RecordBatch>;
  /** About how many Arrow bytes the chunk will take. */
  estimate(chunk: DuckDBDataChunk): number;
};

/** The Arrow schema for a result's columns, and the conversion of its chunks. */
export function chunkConverter(names: readonly string[], types: readonly DuckDBType[]): ChunkConverter {
  const converters = uniqueNames(names).map((name, i) => converterFor(name, types[i]!));
  const schema = new Schema(converters.map((c) => c.field));
  const struct = new Struct(schema.fields);
  return {
    schema,
    toBatch(chunks) {
      const rows = chunks.reduce((sum, chunk) => sum + chunk.rowCount, 0);
      const children = converters.map((c, i) => c.convert(chunks, i, rows));
      return new RecordBatch(schema, makeData({ type: struct, length: rows, nullCount: 0, children }));
    },
    *toBatches(chunk, rowsPerBatch) {
      const rows = chunk.rowCount;
      const whole = converters.map((c, i) => (c.convertRows ? null : c.convert([chunk], i, rows)));
      const vectors = converters.map((c, i) => (c.convertRows ? chunk.getColumnVector(i) : null));
      for (let from = 0; from < rows; from += rowsPerBatch) {
        const count = Math.min(rowsPerBatch, rows - from);
        const children = converters.map((c, i) => whole[i]?.slice(from, count) ?? c.convertRows!(vectors[i]!, from, count));
        yield new RecordBatch(schema, makeData({ type: struct, length: count, nullCount: 0, children }));
      }
    },
    estimate: (chunk) => converters.reduce((sum, c, i) => sum + c.estimate(chunk, i), 0),
  };
}

/** How many Arrow bytes one batch aims at: large enough to cost little per message, far below 4 MiB. */
const BATCH_TARGET_BYTES = 1024 * 1024;

/**
 * The result's chunks grouped into record batches of about BATCH_TARGET_BYTES. A chunk is read
 * from DuckDB only when the batch before has been taken, so at most one batch is held at a time;
 * a chunk bigger than that on its own (lists of thousands of values, say) is sent in row ranges.
 */
export async function* recordBatches(converter: ChunkConverter, chunks: AsyncIterable<DuckDBDataChunk>): AsyncGenerator<RecordBatch> {
  let pending: DuckDBDataChunk[] = [];
  let bytes = 0;
  for await (const chunk of chunks) {
    if (chunk.rowCount === 0) continue;
    const estimate = converter.estimate(chunk);
    if (estimate > 2 * BATCH_TARGET_BYTES) {
      if (pending.length) yield converter.toBatch(pending);
      pending = [];
      bytes = 0;
      yield* converter.toBatches(chunk, Math.max(1, Math.floor((chunk.rowCount * BATCH_TARGET_BYTES) / estimate)));
      continue;
    }
    pending.push(chunk);
    bytes += estimate;
    if (bytes >= BATCH_TARGET_BYTES) {
      yield converter.toBatch(pending);
      pending = [];
      bytes = 0;
    }
  }
  if (pending.length) yield converter.toBatch(pending);
}
