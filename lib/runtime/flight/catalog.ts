import { Binary, Field, Schema, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { queryErrors, type QueryEngine, type QueryParameters, type QueryTarget } from '../query-engine';

/**
 * Flight SQL's metadata commands as read-only SQL over the app's own information_schema, run by
 * the engine under the same rules as any query. Column names are Flight SQL's
 * (format/FlightSql.proto: CommandGetCatalogs, CommandGetDbSchemas, CommandGetTables,
 * CommandGetTableTypes); filters are bound parameters, never spliced into the SQL.
 */
export type CatalogQuery = { sql: string; parameters: QueryParameters };

const TABLE_TYPE = `CASE table_type WHEN 'BASE TABLE' THEN 'TABLE' WHEN 'LOCAL TEMPORARY' THEN 'TEMPORARY' ELSE table_type END`;

/** Conditions and their bound parameters; a filter that is absent adds nothing. */
class Filters {
  readonly conditions: string[];
  readonly parameters: Record<string, unknown> = {};

  constructor(base: string) {
    this.conditions = [base];
  }

  add(condition: (placeholder: string) => string, name: string, value: string | undefined): void {
    if (value === undefined) return;
    this.parameters[name] = value;
    this.conditions.push(condition(`$${name}`));
  }

  query(select: string, orderBy: string): CatalogQuery {
    return {
      sql: `${select} WHERE ${this.conditions.join(' AND ')} ORDER BY ${orderBy}`,
      parameters: Object.keys(this.parameters).length ? this.parameters : [],
    };
  }
}

const like = (column: string) => (placeholder: string) => `${column} LIKE ${placeholder} ESCAPE '\\'`;

export function catalogsQuery(): CatalogQuery {
  return { sql: 'SELECT current_database() AS catalog_name', parameters: [] };
}

export function dbSchemasQuery(filter: { catalog?: string; db_schema_filter_pattern?: string }): CatalogQuery {
  const filters = new Filters('catalog_name = current_database()');
  filters.add((p) => `catalog_name = ${p}`, 'catalog', filter.catalog);
  filters.add(like('schema_name'), 'schema_pattern', filter.db_schema_filter_pattern);
  return filters.query('SELECT catalog_name, schema_name AS db_schema_name FROM information_schema.schemata', 'catalog_name, db_schema_name');
}

export function tablesQuery(filter: {
  catalog?: string;
  db_schema_filter_pattern?: string;
  table_name_filter_pattern?: string;
  table_types?: string[];
}): CatalogQuery {
  const filters = new Filters('table_catalog = current_database()');
  filters.add((p) => `table_catalog = ${p}`, 'catalog', filter.catalog);
  filters.add(like('table_schema'), 'schema_pattern', filter.db_schema_filter_pattern);
  filters.add(like('table_name'), 'table_pattern', filter.table_name_filter_pattern);
  const types = (filter.table_types ?? []).slice(0, 16);
  types.forEach((type, i) => (filters.parameters[`type_${i}`] = type));
  if (types.length) filters.conditions.push(`${TABLE_TYPE} IN (${types.map((_, i) => `$type_${i}`).join(', ')})`);
  return filters.query(
    `SELECT table_catalog AS catalog_name, table_schema AS db_schema_name, table_name, ${TABLE_TYPE} AS table_type FROM information_schema.tables`,
    'catalog_name, db_schema_name, table_name',
  );
}

export function tableTypesQuery(): CatalogQuery {
  return { sql: "SELECT table_type FROM (VALUES ('TABLE'), ('VIEW')) AS types(table_type) ORDER BY table_type", parameters: [] };
}

/** GetTables' result schema with include_schema (format/FlightSql.proto, CommandGetTables). */
export const TABLES_WITH_SCHEMA = new Schema([
  new Field('catalog_name', new Utf8(), true),
  new Field('db_schema_name', new Utf8(), true),
  new Field('table_name', new Utf8(), false),
  new Field('table_type', new Utf8(), false),
  new Field('table_schema', new Binary(), false),
]);

const quote = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;

/**
 * GetTables with include_schema: the listed tables, each with its columns as an encapsulated IPC
 * schema (what JDBC's getColumns reads). A few rows, built whole: more than `maxRows` tables is
 * refused rather than collected.
 */
export const MAX_CATALOG_ROWS = 10_000;

export async function tablesWithSchemas(
  engine: QueryEngine,
  target: QueryTarget,
  query: CatalogQuery,
  signal: AbortSignal,
  maxRows = MAX_CATALOG_ROWS,
): Promise<Table> {
  // Names only: 64 MiB holds 10,000 rows of four names each.
  const answer = await engine.answer(target, query.sql, query.parameters, { signal, format: 'json', maxRows, maxBytes: 64 * 1024 * 1024 });
  const parts: Uint8Array[] = [];
  try {
    if (answer.truncated) {
      throw queryErrors.limit('result_too_large', `The catalog lists more than ${maxRows} tables; narrow it with a schema or table name pattern.`);
    }
    for await (const part of answer.parts) parts.push(part);
  } finally {
    answer.close();
  }
  const rows = (JSON.parse(Buffer.concat(parts).toString('utf8')) as Record<string, string | null>[]).map((row) => Object.values(row));
  const schemas: Uint8Array[] = [];
  for (const [, schema, table] of rows) {
    const described = await engine.describe(target, `SELECT * FROM ${quote(schema ?? 'main')}.${quote(table!)}`, { signal });
    schemas.push(described.schema);
  }
  const column = (i: number) =>
    vectorFromArray(
      rows.map((row) => row[i] ?? null),
      new Utf8(),
    );
  return new Table(TABLES_WITH_SCHEMA, {
    catalog_name: column(0),
    db_schema_name: column(1),
    table_name: column(2),
    table_type: column(3),
    table_schema: vectorFromArray(schemas, new Binary()),
  });
}
