import {
  Bool,
  DenseUnion,
  Field,
  Int32,
  Int64,
  List,
  Map_,
  RecordBatch,
  Schema,
  Struct,
  Table,
  Uint32,
  Utf8,
  makeData,
  vectorFromArray,
  type Data,
} from 'apache-arrow';

/**
 * Flight SQL's CommandGetSqlInfo: what the server is and supports, which JDBC's DatabaseMetaData
 * and BI tools ask on connecting. The result's schema and the SqlInfo numbers are those of
 * format/FlightSql.proto (CommandGetSqlInfo, enum SqlInfo).
 */
const STRING = 0;
const BOOL = 1;
const INT32 = 3;

type Info =
  | readonly [name: number, kind: typeof STRING, value: string]
  | readonly [name: number, kind: typeof BOOL, value: boolean]
  | readonly [name: number, kind: typeof INT32, value: number];

const CASE_INSENSITIVE = 1;
const TRANSACTION_NONE = 0;

export const SQL_INFO: readonly Info[] = [
  [0, STRING, 'Spice Portal runtime'], // FLIGHT_SQL_SERVER_NAME
  [1, STRING, '1'], // FLIGHT_SQL_SERVER_VERSION
  [2, STRING, '21'], // FLIGHT_SQL_SERVER_ARROW_VERSION (apache-arrow's major version)
  [3, BOOL, true], // FLIGHT_SQL_SERVER_READ_ONLY
  [4, BOOL, true], // FLIGHT_SQL_SERVER_SQL
  [5, BOOL, false], // FLIGHT_SQL_SERVER_SUBSTRAIT
  [8, INT32, TRANSACTION_NONE], // FLIGHT_SQL_SERVER_TRANSACTION
  [9, BOOL, false], // FLIGHT_SQL_SERVER_CANCEL
  [500, BOOL, false], // SQL_DDL_CATALOG
  [501, BOOL, false], // SQL_DDL_SCHEMA
  [502, BOOL, false], // SQL_DDL_TABLE
  [503, INT32, CASE_INSENSITIVE], // SQL_IDENTIFIER_CASE
  [504, STRING, '"'], // SQL_IDENTIFIER_QUOTE_CHAR
  [505, INT32, CASE_INSENSITIVE], // SQL_QUOTED_IDENTIFIER_CASE
  [506, BOOL, true], // SQL_ALL_TABLES_ARE_SELECTABLE
];

const valueFields = [
  new Field('string_value', new Utf8(), true),
  new Field('bool_value', new Bool(), true),
  new Field('bigint_value', new Int64(), true),
  new Field('int32_bitmask', new Int32(), true),
  new Field('string_list', new List(new Field('string_data', new Utf8(), true)), true),
  new Field(
    'int32_to_int32_list_map',
    new Map_(
      new Field(
        'entries',
        new Struct<{ key: Int32; value: List<Int32> }>([
          new Field('key', new Int32(), false),
          new Field('value', new List(new Field('$data$', new Int32(), true)), true),
        ]),
        false,
      ),
    ),
    true,
  ),
];
const valueType = new DenseUnion([0, 1, 2, 3, 4, 5], valueFields);

export const SQL_INFO_SCHEMA = new Schema([new Field('info_name', new Uint32(), false), new Field('value', valueType, false)]);

/** The requested entries (all when none are named), in the requested order. */
export function sqlInfoTable(requested: readonly number[]): Table {
  const rows = requested.length ? requested.flatMap((name) => SQL_INFO.filter(([n]) => n === name)) : SQL_INFO;
  const typeIds = Int8Array.from(rows.map(([, kind]) => kind));
  const counts = [0, 0, 0, 0];
  const valueOffsets = Int32Array.from(rows.map(([, kind]) => counts[kind]!++));
  const of = <T>(kind: number) => rows.filter(([, k]) => k === kind).map(([, , value]) => value as T);
  const children: Data[] = valueFields.map((field, kind) => {
    if (kind === STRING) return vectorFromArray(of<string>(STRING), new Utf8()).data[0]!;
    if (kind === BOOL) return vectorFromArray(of<boolean>(BOOL), new Bool()).data[0]!;
    if (kind === INT32) return vectorFromArray(of<number>(INT32), new Int32()).data[0]!;
    return vectorFromArray([], field.type).data[0]!;
  });
  const value = makeData({ type: valueType, length: rows.length, nullCount: 0, typeIds, valueOffsets, children });
  const infoName = makeData({ type: new Uint32(), length: rows.length, nullCount: 0, data: Uint32Array.from(rows.map(([name]) => name)) });
  const struct = makeData({ type: new Struct(SQL_INFO_SCHEMA.fields), length: rows.length, nullCount: 0, children: [infoName, value] });
  return new Table([new RecordBatch(SQL_INFO_SCHEMA, struct)]);
}
