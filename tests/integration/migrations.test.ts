// The hand-written migrations, applied by our runner, must produce exactly the database the
// Prisma schema describes, and record themselves the way `prisma migrate deploy` does.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import internals from '@prisma/internals';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate, migrationsDir } from '@/lib/migrate';
import { connectRaw } from '../support/raw-sql';
import { createTestDatabase, testProvider } from '../support/test-database';

const ON_DELETE: Record<string, string> = { Cascade: 'CASCADE', SetNull: 'SET NULL', Restrict: 'RESTRICT', NoAction: 'NO ACTION' };
const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const drop of drops) await drop();
});

async function freshDatabase() {
  const database = await createTestDatabase('migrate');
  drops.push(database.drop);
  return database.url;
}

type Column = { name: string; type: string; required: boolean; primaryKey: boolean };
type Shape = { columns: Column[]; indexes: string[]; foreignKeys: string[] };

/** The tables as the database has them: columns, indexes (unique or not) and foreign keys. */
async function actualShape(query: (sql: string) => Promise<Record<string, unknown>[]>, table: string): Promise<Shape> {
  if (testProvider === 'postgresql') {
    const columns = await query(
      `SELECT c.column_name AS name, c.data_type AS type, c.is_nullable = 'NO' AS required,
              EXISTS (SELECT 1 FROM information_schema.table_constraints tc JOIN information_schema.key_column_usage k
                        ON tc.constraint_name = k.constraint_name AND tc.table_name = k.table_name
                       WHERE tc.table_name = c.table_name AND tc.constraint_type = 'PRIMARY KEY' AND k.column_name = c.column_name) AS "primaryKey"
         FROM information_schema.columns c WHERE c.table_schema = 'public' AND c.table_name = '${table}'`,
    );
    const indexes = await query(
      `SELECT ix.indisunique AS unique, array_to_string(array_agg(a.attname ORDER BY array_position(ix.indkey::int2[], a.attnum)), ',') AS cols
         FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_class i ON i.oid = ix.indexrelid
         JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY(ix.indkey)
        WHERE t.relname = '${table}' AND NOT ix.indisprimary GROUP BY i.relname, ix.indisunique`,
    );
    const keys = await query(
      `SELECT kcu.column_name AS "from", ccu.table_name AS "table", ccu.column_name AS "to", rc.delete_rule AS on_delete
         FROM information_schema.referential_constraints rc
         JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = rc.constraint_name
         JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = rc.constraint_name
        WHERE kcu.table_name = '${table}'`,
    );
    return {
      columns: columns.map((c) => ({ name: String(c.name), type: String(c.type), required: Boolean(c.required), primaryKey: Boolean(c.primaryKey) })),
      indexes: indexes.map((i) => `${i.unique ? 'unique' : 'index'}(${String(i.cols)})`).sort(),
      foreignKeys: keys.map((k) => `${String(k.from)}->${String(k.table)}(${String(k.to)}) ${String(k.on_delete)}`).sort(),
    };
  }
  const columns = await query(`PRAGMA table_info("${table}")`);
  const indexes: string[] = [];
  for (const index of await query(`PRAGMA index_list("${table}")`)) {
    if (index.origin === 'pk') continue;
    const cols = (await query(`PRAGMA index_info("${String(index.name)}")`)).map((c) => String(c.name));
    indexes.push(`${index.unique ? 'unique' : 'index'}(${cols.join(',')})`);
  }
  const keys = await query(`PRAGMA foreign_key_list("${table}")`);
  return {
    columns: columns.map((c) => ({ name: String(c.name), type: String(c.type), required: Boolean(c.notnull) || Boolean(c.pk), primaryKey: Boolean(c.pk) })),
    indexes: indexes.sort(),
    foreignKeys: keys.map((k) => `${String(k.from)}->${String(k.table)}(${String(k.to)}) ${String(k.on_delete)}`).sort(),
  };
}

const TYPES: Record<typeof testProvider, Record<string, string>> = {
  sqlite: { String: 'TEXT', Int: 'INTEGER', BigInt: 'BIGINT', DateTime: 'DATETIME', Boolean: 'BOOLEAN', Float: 'REAL' },
  postgresql: { String: 'text', Int: 'integer', BigInt: 'bigint', DateTime: 'timestamp without time zone', Boolean: 'boolean', Float: 'double precision' },
};

describe(`migrations (${testProvider})`, () => {
  it('record each migration with the sha256 of its file, once', async () => {
    const url = await freshDatabase();
    const first = await migrate(url);
    const names = fs
      .readdirSync(migrationsDir(testProvider))
      .filter((name) => !name.endsWith('.toml'))
      .sort();
    expect(first.applied).toEqual(names);
    expect((await migrate(url)).applied).toEqual([]);

    const db = await connectRaw(url);
    const rows = await db.query('SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name');
    await db.close();
    expect(rows.map((row) => row.migration_name)).toEqual(names);
    for (const row of rows) {
      const sql = fs.readFileSync(path.join(migrationsDir(testProvider), String(row.migration_name), 'migration.sql'));
      expect(row.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
      expect(row.finished_at).not.toBeNull();
      expect(Number(row.applied_steps_count)).toBe(1);
    }
  });

  it('refuses a migration that was edited after it was applied', async () => {
    const url = await freshDatabase();
    await migrate(url);
    const db = await connectRaw(url);
    await db.query(`UPDATE "_prisma_migrations" SET checksum = 'edited'`);
    await db.close();
    await expect(migrate(url)).rejects.toThrow(/was changed after it was applied/);
  });

  it('produce the tables, columns, indexes and foreign keys of the Prisma schema (no drift)', async () => {
    const url = await freshDatabase();
    await migrate(url);
    const db = await connectRaw(url);
    const datamodel = ['prisma/models.prisma', `prisma/${testProvider}/schema.prisma`].map((file) => fs.readFileSync(file, 'utf8')).join('\n');
    const dmmf = await internals.getDMMF({ datamodel });

    const tableQuery =
      testProvider === 'postgresql'
        ? `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`
        : `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_prisma_migrations'`;
    const tables = (await db.query(tableQuery)).map((r) => String(r.name)).sort();
    expect(tables).toEqual(dmmf.datamodel.models.map((m) => m.dbName ?? m.name).sort());

    for (const model of dmmf.datamodel.models) {
      const table = model.dbName ?? model.name;
      const shape = await actualShape(db.query, table);
      const scalars = model.fields.filter((f) => f.kind === 'scalar');
      expect(shape.columns.map((c) => c.name).sort(), `${table} columns`).toEqual(scalars.map((f) => f.dbName ?? f.name).sort());
      for (const field of scalars) {
        const column = shape.columns.find((c) => c.name === (field.dbName ?? field.name))!;
        expect(column.type, `${table}.${field.name} type`).toBe(TYPES[testProvider][field.type]);
        expect(column.required, `${table}.${field.name} required`).toBe(field.isRequired);
        const inCompositeId = model.primaryKey?.fields.includes(field.name) ?? false;
        expect(column.primaryKey, `${table}.${field.name} primary key`).toBe(field.isId || inCompositeId);
      }
      const expectedIndexes = dmmf.datamodel.indexes
        .filter((index) => index.model === model.name && index.type !== 'id')
        .map((index) => `${index.type === 'unique' ? 'unique' : 'index'}(${index.fields.map((f) => f.name).join(',')})`)
        .sort();
      expect(shape.indexes, `${table} indexes`).toEqual(expectedIndexes);
      const expectedKeys = model.fields
        .filter((f) => f.kind === 'object' && f.relationFromFields && f.relationFromFields.length > 0)
        .map((f) => {
          const target = dmmf.datamodel.models.find((m) => m.name === f.type)!;
          return `${f.relationFromFields!.join(',')}->${target.dbName ?? target.name}(${f.relationToFields!.join(',')}) ${ON_DELETE[f.relationOnDelete ?? (f.isRequired ? 'Restrict' : 'SetNull')]}`;
        })
        .sort();
      expect(shape.foreignKeys, `${table} foreign keys`).toEqual(expectedKeys);
    }
    await db.close();
  });
});
