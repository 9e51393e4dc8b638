import { DuckDBInstance } from '@duckdb/node-api';
import fs from 'node:fs';
fs.rmSync('/tmp/duck-test.duckdb', { force: true });
const w = await DuckDBInstance.create('/tmp/duck-test.duckdb');
const wc = await w.connect();
await wc.run(`CREATE TABLE taxi_trips AS SELECT i AS id, (i % 5) + 1 AS passenger_count FROM range(10000) t(i)`);
wc.closeSync(); w.closeSync();
const inst = await DuckDBInstance.create('/tmp/duck-test.duckdb', { access_mode: 'READ_ONLY', enable_external_access: 'false', autoinstall_known_extensions: 'false', autoload_known_extensions: 'false', lock_configuration: 'true' });
const c = await inst.connect();
for (const sql of ['SELECT 1 AS one', 'SHOW TABLES', "SELECT * FROM read_csv('/etc/passwd')", "COPY taxi_trips TO '/tmp/x.csv'", "ATTACH '/tmp/y.db'", 'INSTALL httpfs', 'LOAD httpfs', 'CREATE TABLE t (a INT)', 'CREATE TEMP TABLE t (a INT)', 'INSERT INTO taxi_trips VALUES (1,1)', 'DROP TABLE taxi_trips', "SET enable_external_access=true", "SELECT 9007199254740993::BIGINT AS big, 1.5::DECIMAL(10,2) AS d, DATE '2024-01-01' AS dt, TIMESTAMP '2024-01-01 10:00:00' AS ts, 170141183460469231731687303715884105727::HUGEINT AS h, [1,2] AS l", 'SELECT 1; SELECT 2', 'PRAGMA database_list', "SELECT * FROM duckdb_settings() LIMIT 1", "DESCRIBE taxi_trips", "EXPLAIN SELECT 1", "SELECT getenv('HOME')", "CALL pragma_version()"]) {
  try {
    const ex = await c.extractStatements(sql);
    const p = await ex.prepare(0);
    const t = p.statementType;
    const r = await p.runAndReadAll();
    console.log('OK', sql, 'type', t, ex.count, JSON.stringify(r.getRowsJS(), (k, v) => typeof v === 'bigint' ? `${v}n` : v).slice(0, 200));
  } catch (e) { console.log('ERR', sql, '->', (e as Error).message.split('\n')[0]); }
}
