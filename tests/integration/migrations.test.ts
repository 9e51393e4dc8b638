// The hand-written migrations, applied by our runner, must produce exactly the database the
// Prisma schema describes, and record themselves the way `prisma migrate deploy` does.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient } from '@libsql/client';
import internals from '@prisma/internals';
import { describe, expect, it } from 'vitest';
import { migrate, migrationsDir } from '@/lib/migrate';

const SQLITE_TYPES: Record<string, string> = { String: 'TEXT', Int: 'INTEGER', DateTime: 'DATETIME', Boolean: 'BOOLEAN', Float: 'REAL' };
const ON_DELETE: Record<string, string> = { Cascade: 'CASCADE', SetNull: 'SET NULL', Restrict: 'RESTRICT', NoAction: 'NO ACTION' };

function freshDatabase() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-migrate-'));
  return `file:${path.join(dir, 'portal.db')}`;
}

async function prismaSchema() {
  const datamodel = ['prisma/models.prisma', 'prisma/sqlite/schema.prisma'].map((file) => fs.readFileSync(file, 'utf8')).join('\n');
  return internals.getDMMF({ datamodel });
}

describe('migrations', () => {
  it('record each migration with the sha256 of its file, once', async () => {
    const url = freshDatabase();
    const first = await migrate(url);
    const names = fs.readdirSync(migrationsDir('sqlite')).filter((name) => !name.endsWith('.toml')).sort();
    expect(first.applied).toEqual(names);
    expect((await migrate(url)).applied).toEqual([]);

    const client = createClient({ url });
    const rows = await client.execute('SELECT migration_name, checksum, finished_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name');
    client.close();
    expect(rows.rows.map((row) => row.migration_name)).toEqual(names);
    for (const row of rows.rows) {
      const sql = fs.readFileSync(path.join(migrationsDir('sqlite'), String(row.migration_name), 'migration.sql'));
      expect(row.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
      expect(row.finished_at).not.toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
  });

  it('refuses a migration that was edited after it was applied', async () => {
    const url = freshDatabase();
    await migrate(url);
    const client = createClient({ url });
    await client.execute("UPDATE _prisma_migrations SET checksum = 'edited'");
    client.close();
    await expect(migrate(url)).rejects.toThrow(/was changed after it was applied/);
  });

  it('produce the tables, columns, indexes and foreign keys of the Prisma schema (no drift)', async () => {
    const url = freshDatabase();
    await migrate(url);
    const client = createClient({ url });
    const query = async (sql: string) => (await client.execute(sql)).rows;
    const dmmf = await prismaSchema();

    const tables = (await query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_prisma_migrations'")).map((r) => String(r.name)).sort();
    expect(tables).toEqual(dmmf.datamodel.models.map((m) => m.dbName ?? m.name).sort());

    for (const model of dmmf.datamodel.models) {
      const table = model.dbName ?? model.name;
      const columns = await query(`PRAGMA table_info("${table}")`);
      const scalars = model.fields.filter((f) => f.kind === 'scalar');
      expect(columns.map((c) => String(c.name)).sort(), `${table} columns`).toEqual(scalars.map((f) => f.dbName ?? f.name).sort());
      for (const field of scalars) {
        const column = columns.find((c) => c.name === (field.dbName ?? field.name))!;
        expect(String(column.type), `${table}.${field.name} type`).toBe(SQLITE_TYPES[field.type]);
        expect(Boolean(column.notnull) || Boolean(column.pk), `${table}.${field.name} required`).toBe(field.isRequired);
        expect(Boolean(column.pk), `${table}.${field.name} primary key`).toBe(field.isId);
      }

      const expectedIndexes = dmmf.datamodel.indexes
        .filter((index) => index.model === model.name && index.type !== 'id')
        .map((index) => `${index.type === 'unique' ? 'unique' : 'index'}(${index.fields.map((f) => f.name).join(',')})`)
        .sort();
      const actualIndexes: string[] = [];
      for (const index of await query(`PRAGMA index_list("${table}")`)) {
        if (index.origin === 'pk') continue;
        const cols = (await query(`PRAGMA index_info("${String(index.name)}")`)).map((c) => String(c.name));
        actualIndexes.push(`${index.unique ? 'unique' : 'index'}(${cols.join(',')})`);
      }
      expect(actualIndexes.sort(), `${table} indexes`).toEqual(expectedIndexes);

      const expectedKeys = model.fields
        .filter((f) => f.kind === 'object' && f.relationFromFields && f.relationFromFields.length > 0)
        .map((f) => {
          const target = dmmf.datamodel.models.find((m) => m.name === f.type)!;
          return `${f.relationFromFields!.join(',')}->${target.dbName ?? target.name}(${f.relationToFields!.join(',')}) ${ON_DELETE[f.relationOnDelete ?? (f.isRequired ? 'Restrict' : 'SetNull')]}`;
        })
        .sort();
      const actualKeys = (await query(`PRAGMA foreign_key_list("${table}")`)).map((k) => `${String(k.from)}->${String(k.table)}(${String(k.to)}) ${String(k.on_delete)}`).sort();
      expect(actualKeys, `${table} foreign keys`).toEqual(expectedKeys);
    }
    client.close();
  });
});
