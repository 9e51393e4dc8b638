// DuckDB results as Arrow: every value read back with Arrow's own IPC reader equals what DuckDB
// says it is, nulls included, across chunk boundaries, with the types a Flight client sees.
import { DuckDBInstance, type DuckDBConnection, type DuckDBDataChunk } from '@duckdb/node-api';
import { tableFromIPC, type Table } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunkConverter, recordBatches } from '@/lib/runtime/flight/arrow';
import { MAX_MESSAGE_BYTES, batchMessages, encapsulatedSchema, schemaMessage, type IpcMessage } from '@/lib/runtime/flight/arrow-ipc';

let instance: DuckDBInstance;
let connection: DuckDBConnection;
beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
});
afterAll(() => {
  connection.closeSync();
  instance.closeSync();
});

/** Runs the SQL, converts every chunk as the Flight server does, and reads the messages back. */
async function viaFlight(sql: string): Promise<{ table: Table; messages: IpcMessage[] }> {
  const result = await connection.stream(sql);
  const converter = chunkConverter(result.columnNames(), result.columnTypes());
  const messages = [schemaMessage(converter.schema)];
  async function* chunks(): AsyncGenerator<DuckDBDataChunk> {
    for (let chunk: DuckDBDataChunk | null; (chunk = await result.fetchChunk()) && chunk.rowCount > 0;) yield chunk;
  }
  for await (const batch of recordBatches(converter, chunks())) messages.push(...batchMessages(batch));
  const bytes = Buffer.concat([
    ...messages.flatMap((m) => {
      const prefix = Buffer.alloc(8);
      prefix.writeUInt32LE(0xffffffff, 0);
      prefix.writeUInt32LE(m.header.byteLength, 4);
      return [prefix, Buffer.from(m.header), Buffer.from(m.body)];
    }),
    Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]),
  ]);
  return { table: tableFromIPC(bytes), messages };
}

const column = (table: Table, name: string) => Array.from({ length: table.numRows }, (_, i) => table.getChild(name)!.get(i));
const duckColumn = async (sql: string, name: string) => (await connection.runAndReadAll(sql)).getColumnsObjectJS()[name]!;

/** A Decimal128 cell as the unscaled integer. */
function unscaled(table: Table, name: string, row: number): bigint | null {
  const vector = table.getChild(name)!;
  if (!vector.isValid(row)) return null;
  const words = vector.data[0]!.values as Uint32Array;
  let value = 0n;
  for (let w = 3; w >= 0; w--) value = (value << 32n) | BigInt(words[row * 4 + w]!);
  return BigInt.asIntN(128, value);
}

describe('DuckDB chunks as Arrow batches', () => {
  it('keeps integers, floats, booleans and strings with their nulls, across chunk boundaries', async () => {
    const sql = `SELECT
        CASE WHEN range % 3 = 0 THEN NULL ELSE range END AS big,
        CASE WHEN range % 5 = 0 THEN NULL ELSE (range % 100)::TINYINT END AS tiny,
        (range * 1.5)::DOUBLE AS dbl,
        CASE WHEN range % 7 = 0 THEN NULL ELSE range % 2 = 0 END AS flag,
        CASE WHEN range % 11 = 0 THEN NULL WHEN range % 2 = 0 THEN 'short' ELSE 'a longer string, ünïcödé ' || range END AS text
      FROM range(5003)`;
    const { table } = await viaFlight(sql);
    expect(table.numRows).toBe(5003);
    expect(table.schema.fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual(['big:Int64', 'tiny:Int8', 'dbl:Float64', 'flag:Bool', 'text:Utf8']);
    for (const name of ['big', 'tiny', 'dbl', 'flag', 'text']) {
      expect(column(table, name), name).toEqual(await duckColumn(sql, name));
    }
  });

  it('joins chunks of any size into one batch, null bitmaps included', async () => {
    const part = (from: number, count: number) =>
      `SELECT CASE WHEN range % 3 = 0 THEN NULL ELSE range END AS n, CASE WHEN range % 4 = 0 THEN NULL ELSE range % 2 = 0 END AS b, CASE WHEN range % 5 = 0 THEN NULL ELSE 'value number ' || range END AS s FROM range(${from}, ${from + count})`;
    const chunks: DuckDBDataChunk[] = [];
    let converter: ReturnType<typeof chunkConverter> | null = null;
    // Each part on its own connection: a connection's next query would end the previous result.
    const connections: DuckDBConnection[] = [];
    for (const [from, count] of [
      [0, 5],
      [5, 2051],
      [2056, 3],
    ] as const) {
      connections.push(await instance.connect());
      const result = await connections.at(-1)!.stream(part(from, count));
      converter ??= chunkConverter(result.columnNames(), result.columnTypes());
      for (let chunk: DuckDBDataChunk | null; (chunk = await result.fetchChunk()) && chunk.rowCount > 0;) chunks.push(chunk);
    }
    expect(chunks.map((chunk) => chunk.rowCount)).toEqual([5, 2048, 3, 3]);
    const batch = converter!.toBatch(chunks);
    const expected = await connection.runAndReadAll(part(0, 2059));
    const columns = expected.getColumnsObjectJS();
    for (const name of ['n', 'b', 's']) {
      expect(
        Array.from({ length: batch.numRows }, (_, i) => batch.getChild(name)!.get(i)),
        name,
      ).toEqual(columns[name]);
    }
    for (const c of connections) c.closeSync();
  });

  it('keeps decimals of every width exactly, negative ones too', async () => {
    const sql = `SELECT * FROM (VALUES
        (-12.34::DECIMAL(4,2), -123456.789::DECIMAL(9,3), -12345678901234.5678::DECIMAL(18,4), -1234567890123456789012345678.0123456789::DECIMAL(38,10), -170141183460469231731687303715884105727::HUGEINT),
        (99.99::DECIMAL(4,2), 0.001::DECIMAL(9,3), 1.0001::DECIMAL(18,4), 0.0000000001::DECIMAL(38,10), 42::HUGEINT),
        (NULL, NULL, NULL, NULL, NULL)) AS t(d4, d9, d18, d38, huge)`;
    const { table } = await viaFlight(sql);
    expect(table.schema.fields.map((f) => String(f.type))).toEqual(['Decimal[4e+2]', 'Decimal[9e+3]', 'Decimal[18e+4]', 'Decimal[38e+10]', 'Decimal[38e0]']);
    const expected = [
      [-1234n, -123456789n, -123456789012345678n, -12345678901234567890123456780123456789n, -170141183460469231731687303715884105727n],
      [9999n, 1n, 10001n, 1n, 42n],
      [null, null, null, null, null],
    ];
    expected.forEach((row, r) => {
      expect(['d4', 'd9', 'd18', 'd38', 'huge'].map((name) => unscaled(table, name, r))).toEqual(row);
    });
  });

  it('keeps dates, times and timestamps at their precision', async () => {
    const sql = `SELECT
        DATE '2024-02-29' AS day,
        TIME '13:14:15.123456' AS clock,
        TIMESTAMP '2024-02-29 13:14:15.123456' AS ts,
        TIMESTAMP_S '2024-02-29 13:14:15' AS ts_s,
        TIMESTAMP_MS '2024-02-29 13:14:15.123' AS ts_ms,
        TIMESTAMP_NS '2024-02-29 13:14:15.123456789' AS ts_ns,
        TIMESTAMPTZ '2024-02-29 13:14:15.123456+00' AS ts_tz`;
    const { table } = await viaFlight(sql);
    expect(table.schema.fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual([
      'day:Date32<DAY>',
      'clock:Time64<MICROSECOND>',
      'ts:Timestamp<MICROSECOND>',
      'ts_s:Timestamp<SECOND>',
      'ts_ms:Timestamp<MILLISECOND>',
      'ts_ns:Timestamp<NANOSECOND>',
      'ts_tz:Timestamp<MICROSECOND, UTC>',
    ]);
    const raw = (name: string) => (table.getChild(name)!.data[0]!.values as BigInt64Array | Int32Array)[0];
    const epochUs = BigInt(Date.UTC(2024, 1, 29, 13, 14, 15)) * 1000n;
    expect(raw('day')).toBe(Date.UTC(2024, 1, 29) / 86_400_000);
    expect(raw('clock')).toBe(((13n * 60n + 14n) * 60n + 15n) * 1_000_000n + 123456n);
    expect(raw('ts')).toBe(epochUs + 123456n);
    expect(raw('ts_s')).toBe(epochUs / 1_000_000n);
    expect(raw('ts_ms')).toBe(epochUs / 1000n + 123n);
    expect(raw('ts_ns')).toBe((epochUs + 123456n) * 1000n + 789n);
    expect(raw('ts_tz')).toBe(epochUs + 123456n);
  });

  it('sends blobs as bytes, other types as their text, and repeated column names made unique', async () => {
    const { table } = await viaFlight(
      "SELECT '\\xAA\\x00\\xBB'::BLOB AS bin, INTERVAL 90 MINUTE AS span, [1, 2, 3] AS list, {'a': 1} AS struct, 1 AS x, 2 AS x",
    );
    expect(table.schema.fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual([
      'bin:Binary',
      'span:Utf8',
      'list:Utf8',
      'struct:Utf8',
      'x:Int32',
      'x_1:Int32',
    ]);
    expect(Array.from(table.getChild('bin')!.get(0) as Uint8Array)).toEqual([0xaa, 0x00, 0xbb]);
    expect(table.getChild('list')!.get(0)).toBe('[1, 2, 3]');
    expect(table.getChild('span')!.get(0)).toMatch(/01:30:00/);
  });

  it('splits a batch into messages under 4 MiB, and refuses a single row over it', async () => {
    const { table, messages } = await viaFlight("SELECT range AS i, repeat('z', 500000) AS s FROM range(40)");
    expect(table.numRows).toBe(40);
    expect(column(table, 'i')).toEqual(Array.from({ length: 40 }, (_, i) => BigInt(i)));
    expect(messages.length).toBeGreaterThan(5);
    for (const message of messages) expect(message.header.byteLength + message.body.byteLength).toBeLessThan(MAX_MESSAGE_BYTES - 64 * 1024);
    await expect(viaFlight("SELECT repeat('z', 5000000) AS s")).rejects.toThrow(/larger than 4 MiB/);
  });

  it('sizes batches by the values DuckDB holds: a chunk of long lists goes a few rows at a time', async () => {
    // 2,500 rows of 2,000-element lists, with a string and an integer column beside them.
    const sql = "SELECT range AS i, 'row ' || range AS s, range(range % 7, 2000 + range % 7) AS l FROM range(2500)";
    const result = await connection.stream(sql);
    const converter = chunkConverter(result.columnNames(), result.columnTypes());
    async function* chunks(): AsyncGenerator<DuckDBDataChunk> {
      for (let chunk: DuckDBDataChunk | null; (chunk = await result.fetchChunk()) && chunk.rowCount > 0;) yield chunk;
    }
    const sizes: number[] = [];
    const rows: [bigint, string, string][] = [];
    for await (const batch of recordBatches(converter, chunks())) {
      sizes.push(batch.numRows);
      for (let r = 0; r < batch.numRows; r++) rows.push([batch.getChild('i')!.get(r), batch.getChild('s')!.get(r), batch.getChild('l')!.get(r)]);
    }
    // About 32 KB a row in DuckDB: 1 MiB batches hold about 32 rows, not a whole 2,048-row chunk.
    expect(Math.max(...sizes)).toBeLessThanOrEqual(64);
    expect(rows).toHaveLength(2500);
    const expected = (await connection.runAndReadAll(`SELECT i, s, l::VARCHAR AS l FROM (${sql}) ORDER BY i`)).getRowsJS();
    expect(rows).toEqual(expected);
  });

  it('encapsulates the schema as one IPC message for FlightInfo', async () => {
    const result = await connection.stream('SELECT 1::BIGINT AS a, 2.5::DOUBLE AS b');
    const schema = encapsulatedSchema(chunkConverter(result.columnNames(), result.columnTypes()).schema);
    expect(new DataView(schema.buffer, schema.byteOffset).getUint32(0, true)).toBe(0xffffffff);
    const read = tableFromIPC(Buffer.concat([schema, Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0])]));
    expect(read.schema.fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual(['a:Int64', 'b:Float64']);
  });
});
