import type { DuckDBConnection } from '@duckdb/node-api';
import { queryErrors } from './query-engine';

/**
 * What a query may call, checked on DuckDB's own parse tree (json_serialize_sql, run on a private
 * in-memory instance that holds no data) before the statement reaches an app's database. An
 * allowlist, not a denylist:
 *   - table functions: only the generators below (no file readers, no catalogue or settings
 *     readers such as duckdb_settings(), no enable_logging(), no query());
 *   - tables: only the app's own tables and the query's own CTEs, unqualified or in `main`, and
 *     information_schema's schemata, tables and columns (no other system views, no other
 *     attached database, no file paths);
 *   - scalar, aggregate and window functions: DuckDB's built-in ones, except those that read or
 *     change engine state (settings, variables, sequences, the random seed);
 *   - functions that make a large value out of a small input (repeat, lpad, range as a list, …)
 *     only with constant sizes, at most MAX_GENERATED characters or elements in the statement.
 * SHOW TABLES, DESCRIBE, SUMMARIZE and EXPLAIN of an allowed query are allowed.
 */

const TABLE_FUNCTIONS = new Set(['range', 'generate_series', 'unnest']);

/** information_schema views a query may read: the app database's own tables and columns. */
const METADATA_VIEWS = new Set(['schemata', 'tables', 'columns']);

/** Built-in functions a query may not call: they read or change the engine's state. */
const STATE_FUNCTIONS = new Set([
  'current_setting',
  'getvariable',
  'setseed',
  'nextval',
  'currval',
  'current_query',
  'txid_current',
  'enable_logging',
  'disable_logging',
  'truncate_duckdb_logs',
  'json_serialize_sql',
  'json_deserialize_sql',
  'json_serialize_plan',
  'json_execute_serialized_sql',
]);

/** Characters or list elements that size-taking functions may generate, in one statement. */
export const MAX_GENERATED = 10_000;

type Node = { [key: string]: unknown };

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function children(node: Node): unknown[] {
  return Object.values(node).flatMap((value) => (Array.isArray(value) ? value : [value]));
}

function constantNumber(value: unknown): number | null {
  if (!isNode(value) || value.class !== 'CONSTANT' || !isNode(value.value) || value.value.is_null) return null;
  const raw = value.value.value;
  const number = typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : NaN;
  return Number.isFinite(number) ? number : null;
}

function constantString(value: unknown): string | null {
  if (!isNode(value) || value.class !== 'CONSTANT' || !isNode(value.value)) return null;
  return typeof value.value.value === 'string' ? value.value.value : null;
}

/** Functions whose output can be many times their input: never nested in one another. */
const AMPLIFIERS = new Set(['replace', 'regexp_replace', 'list_transform', 'array_transform', 'list_apply', 'array_apply', 'apply', 'list_comprehension']);

/** The longest SQL text a query may have, in bytes (both doors). */

export class SqlGuard {
  private constructor(
    private readonly functions: ReadonlySet<string>,
    /** DuckDB's own views and tables (pg_settings, duckdb_databases, …): never a WITH query's name. */
    private readonly systemNames: ReadonlySet<string>,
  ) {}

  /** Builds the allowlist from the functions DuckDB itself has built in. */
  static async create(parser: DuckDBConnection): Promise<SqlGuard> {
    const reader = await parser.runAndReadAll(
      `SELECT DISTINCT function_name FROM duckdb_functions() WHERE function_type IN ('scalar', 'aggregate', 'macro') AND internal`,
    );
    const names = new Set<string>();
    for (const [name] of reader.getRowsJS()) {
      const lower = String(name).toLowerCase();
      if (!STATE_FUNCTIONS.has(lower) && !lower.startsWith('duckdb_') && !lower.startsWith('pragma_')) names.add(lower);
    }
    const system = await parser.runAndReadAll(`SELECT view_name FROM duckdb_views() UNION SELECT table_name FROM duckdb_tables()`);
    const systemNames = new Set(system.getRowsJS().map(([name]) => String(name).toLowerCase()));
    return new SqlGuard(names, systemNames);
  }

  /**
   * Throws an `invalid` AppError unless `sql` is one allowed read-only statement over `tables`. `parser`
   * is a connection to a private in-memory database.
   */
  async check(parser: DuckDBConnection, sql: string, tables: ReadonlySet<string>): Promise<void> {
    const explain = /^\s*EXPLAIN\s+(ANALYZE\s+)?/i.exec(sql);
    const inner = explain ? sql.slice(explain[0].length) : sql;
    const reader = await parser.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR)', [inner]);
    const parsed = JSON.parse(String(reader.getRowsJS()[0]?.[0] ?? '{}')) as {
      error?: boolean;
      error_type?: string;
      error_message?: string;
      statements?: unknown[];
    };
    if (parsed.error) {
      if (parsed.error_type === 'not implemented') throw queryErrors.invalid(READ_ONLY);
      throw queryErrors.invalid(parsed.error_message ?? 'The query could not be parsed.');
    }
    const statements = parsed.statements ?? [];
    if (statements.length !== 1) throw queryErrors.invalid(statements.length ? ONE_STATEMENT : 'The query is empty.');
    const cteNames = new Set<string>();
    collectCteNames(statements[0], cteNames);
    // A WITH query named after a system view would let an unqualified reference to that view
    // elsewhere in the statement pass as the WITH query.
    for (const name of cteNames) {
      if (this.systemNames.has(name)) throw queryErrors.invalid(`${JSON.stringify(name)} is reserved: give the WITH query another name.`);
    }
    const budget = { generated: 0 };
    this.walk(statements[0], { tables, cteNames, budget });
  }

  private walk(value: unknown, scope: { tables: ReadonlySet<string>; cteNames: Set<string>; budget: { generated: number } }): void {
    if (Array.isArray(value)) {
      for (const item of value) this.walk(item, scope);
      return;
    }
    if (!isNode(value)) return;
    if (value.type === 'TABLE_FUNCTION' && isNode(value.function)) {
      const fn = value.function;
      const name = String(fn.function_name).toLowerCase();
      if (!unqualified(fn) || !TABLE_FUNCTIONS.has(name)) throw queryErrors.invalid(notAllowed(`${name}()`));
      this.checkGenerated(name, fn.children, scope.budget, true);
      this.walk(fn.children, scope);
      this.walk(children({ ...value, function: null }), scope);
      return;
    }
    if (value.type === 'BASE_TABLE') {
      const table = String(value.table_name).toLowerCase();
      const schema = String(value.schema_name ?? '').toLowerCase();
      // The standard metadata views of the app's own database (what BI tools and Flight SQL's
      // catalog commands read): names and types of its tables, nothing of the server.
      if (!value.catalog_name && schema === 'information_schema' && METADATA_VIEWS.has(table)) return;
      const ownTable = scope.tables.has(table) && !value.catalog_name && (!schema || schema === 'main');
      const withQuery = scope.cteNames.has(table) && !value.catalog_name && !schema;
      if (!ownTable && !withQuery) {
        throw queryErrors.invalid(`Table ${JSON.stringify(String(value.table_name))} does not exist. This app's tables: ${[...scope.tables].join(', ')}.`);
      }
    }
    if (value.type === 'SHOW_REF') {
      const table = String(value.table_name ?? '').toLowerCase();
      if (!value.query && table !== '"tables"' && !scope.tables.has(table)) throw queryErrors.invalid(notAllowed('this SHOW statement'));
    }
    if (value.class === 'FUNCTION') {
      const name = String(value.function_name).toLowerCase();
      if (!unqualified(value) || !this.functions.has(name)) throw queryErrors.invalid(notAllowed(`${name}()`));
      this.checkGenerated(name, value.children, scope.budget, false);
      if (AMPLIFIERS.has(name) && containsAmplifier(value.children)) {
        throw queryErrors.invalid(`${name}() may not be nested in another function of its kind here: each level multiplies the size of its result.`);
      }
    }
    for (const child of children(value)) this.walk(child, scope);
  }

  /** Functions whose output size is set by an argument: constant sizes only, within the budget. */
  private checkGenerated(name: string, args: unknown, budget: { generated: number }, table: boolean): void {
    const list = Array.isArray(args) ? args : [];
    let size: number | null = null;
    switch (name) {
      case 'repeat': {
        const text = constantString(list[0]);
        const times = constantNumber(list[1]);
        size = text === null || times === null ? null : Buffer.byteLength(text) * Math.max(0, times);
        break;
      }
      case 'lpad':
      case 'rpad':
      case 'list_resize':
      case 'array_resize':
      case 'bitstring':
        size = constantNumber(list[1]);
        break;
      case 'range':
      case 'generate_series': {
        if (table) return; // a table of rows is streamed, not one value
        const [a = null, b = null, step = null] = list.map(constantNumber);
        if (list.length === 1) size = a;
        else if (a !== null && b !== null && (list.length < 3 || step)) size = Math.abs(b - a) / Math.abs(step ?? 1);
        break;
      }
      case 'printf':
      case 'format': {
        const pattern = constantString(list[0]);
        // A width or precision in the pattern (or taken from an argument) sets the output size.
        if (pattern === null || /\*|\{[^}]*\{/.test(pattern)) throw queryErrors.invalid(`${name}() takes a constant pattern with constant widths.`);
        // Every number in the pattern may be a width: they all count.
        size = (pattern.match(/\d+/g) ?? []).reduce((sum, digits) => sum + Number(digits), 0);
        break;
      }
      default:
        return;
    }
    if (size === null) throw queryErrors.invalid(`${name}() takes constant sizes here (at most ${MAX_GENERATED}).`);
    // A negative size makes nothing; it never buys room for another function's output.
    budget.generated += Math.max(0, size);
    if (budget.generated > MAX_GENERATED) {
      throw queryErrors.invalid(
        `The query generates values too large: functions such as ${name}() may make at most ${MAX_GENERATED} characters or elements per query.`,
      );
    }
  }
}

/** A function named without a catalogue, or in `main` as the parser writes for {…} and […]. */
function unqualified(fn: Node): boolean {
  return !fn.catalog && (!fn.schema || fn.schema === 'main');
}

function containsAmplifier(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(containsAmplifier);
  if (!isNode(value)) return false;
  if (value.class === 'FUNCTION' && AMPLIFIERS.has(String(value.function_name).toLowerCase())) return true;
  return children(value).some(containsAmplifier);
}

function collectCteNames(value: unknown, names: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) collectCteNames(item, names);
    return;
  }
  if (!isNode(value)) return;
  if (isNode(value.cte_map) && Array.isArray(value.cte_map.map)) {
    for (const entry of value.cte_map.map) if (isNode(entry) && typeof entry.key === 'string') names.add(entry.key.toLowerCase());
  }
  for (const child of children(value)) collectCteNames(child, names);
}

const READ_ONLY = 'Only read-only queries are allowed (SELECT, SHOW, DESCRIBE, EXPLAIN).';
const ONE_STATEMENT = 'Send one SQL statement per request.';

function notAllowed(what: string): string {
  return `${what} is not allowed here: queries may read this app's tables and call DuckDB's built-in functions, but not read files, settings or the catalogue, or change the engine.`;
}
