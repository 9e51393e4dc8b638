import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import type { QueryStream } from '@/lib/runtime/query-engine';
import { collectResult } from '@/lib/runtime/results';

/** A real DuckDB result streamed chunk by chunk, as the engine hands it to a door. */
async function duckStream(sql: string): Promise<QueryStream> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const result = await connection.stream(sql);
  async function* chunks() {
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) return;
      yield chunk;
    }
  }
  return { names: result.deduplicatedColumnNames(), types: result.columnTypes(), chunks: chunks(), close: () => undefined };
}

describe('an HTTP answer read from a streamed result', () => {
  it('writes RFC 4180 CSV with a header row', async () => {
    const csv = await collectResult(await duckStream(`SELECT * FROM (VALUES ('1', 'plain'), ('say "hi"', 'x,y'), (NULL, e'line\nbreak')) t(a, b)`), {
      maxRows: 10,
      maxBytes: 1000,
      format: 'csv',
    });
    expect(csv).toEqual({ body: 'a,b\r\n1,plain\r\n"say ""hi""","x,y"\r\n,"line\nbreak"\r\n', truncated: false });
  });

  it('stops at the row limit and says whether rows remain', async () => {
    const json = { maxRows: 2, maxBytes: 1000, format: 'json' } as const;
    expect(await collectResult(await duckStream('SELECT range AS n FROM range(3)'), json)).toEqual({ body: '[{"n":0},{"n":1}]', truncated: true });
    expect(await collectResult(await duckStream('SELECT range AS n FROM range(2)'), json)).toEqual({ body: '[{"n":0},{"n":1}]', truncated: false });
    const many = await collectResult(await duckStream('SELECT range AS n FROM range(5000)'), { ...json, maxRows: 2048, maxBytes: 100_000 });
    expect(many.truncated).toBe(true);
    expect(JSON.parse(many.body)).toHaveLength(2048);
  });

  it('refuses a result over the byte budget, naming the setting, before converting a large value', async () => {
    // One 2 MB value against a 1 MB budget: refused from DuckDB's length header, not after making the string.
    await expect(collectResult(await duckStream(`SELECT repeat('x', 2000000) AS big`), { maxRows: 10, maxBytes: 1_000_000, format: 'json' })).rejects.toThrow(
      /larger than 1000000 bytes \(RUNTIME_MAX_RESULT_BYTES\)/,
    );
    // A list value is measured through its elements.
    await expect(
      collectResult(await duckStream(`SELECT list(repeat('z', 1000)) AS l FROM range(2000)`), { maxRows: 10, maxBytes: 1_000_000, format: 'json' }),
    ).rejects.toThrow(/RUNTIME_MAX_RESULT_BYTES/);
    // Many small rows add up the same way.
    await expect(
      collectResult(await duckStream(`SELECT repeat('y', 100) AS s FROM range(100)`), { maxRows: 500, maxBytes: 5_000, format: 'csv' }),
    ).rejects.toThrow(/larger than 5000 bytes/);
  });
});
