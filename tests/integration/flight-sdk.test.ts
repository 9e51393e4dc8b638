// The official Spice SDK (@spiceai/spice, not ours) against our Flight endpoint, in Flight mode
// only (no fallback to HTTP), over TLS with the generated certificate, authenticated by the real
// key store.
import { SpiceClient } from '@spiceai/spice';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFlight } from '../support/flight-server';
import { currentKeys, newApp, newUser, regenerateAs } from './fixtures';

let flight: Awaited<ReturnType<typeof startFlight>>;
beforeAll(async () => {
  flight = await startFlight({ tls: true });
});
afterAll(() => flight.stop());

const client = (apiKey: string) =>
  new SpiceClient({
    apiKey,
    flightUrl: `localhost:${flight.port}`,
    flightTlsEnabled: true,
    tlsRootCertFile: flight.certFile!,
    flightOnly: true,
    logging: false,
  });

// The SDK hands back Arrow rows, or plain objects when it converted decimals.
const rows = (table: { toArray(): unknown[] }) =>
  table.toArray().map((row) => {
    const r = row as { toJSON?: () => Record<string, unknown> };
    return typeof r.toJSON === 'function' ? r.toJSON() : (row as Record<string, unknown>);
  });

async function appWithKeys(name: string) {
  const { user, org } = await newUser(name);
  const app = await newApp(user, org.name);
  return { user, org, app, keys: await currentKeys(app.id) };
}

describe('the Spice SDK in Flight mode', () => {
  it('lists the tables and aggregates taxi_trips, with Arrow types kept', async () => {
    const { keys } = await appWithKeys('Flora');
    const spice = client(keys[1]);

    expect(rows(await spice.sql('SHOW TABLES')).map((row) => row.name)).toEqual(['taxi_trips']);

    const aggregate = await spice.sql(
      'SELECT passenger_count, COUNT(*) AS trips, ROUND(AVG(total_amount), 2) AS avg_total FROM taxi_trips GROUP BY passenger_count ORDER BY passenger_count',
    );
    const result = rows(aggregate);
    expect(result.map((row) => row.passenger_count)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(result.reduce((sum, row) => sum + Number(row.trips), 0)).toBe(10_000);
    // COUNT(*) is BIGINT: Int64 on the wire, a bigint in Arrow JS.
    expect(typeof result[0]!.trips).toBe('bigint');

    const typed = await spice.sql(
      "SELECT trip_id, pickup_datetime, DATE '2024-03-01' AS day, CAST(12.345 AS DECIMAL(10,3)) AS amount, payment_type, true AS flag FROM taxi_trips WHERE trip_id = 1",
    );
    const fields = Object.fromEntries(typed.schema.fields.map((field) => [field.name, String(field.type)]));
    expect(fields).toEqual({
      trip_id: 'Int32',
      pickup_datetime: 'Timestamp<MICROSECOND>',
      day: 'Date32<DAY>',
      // Arrow JS prints Decimal(precision 10, scale 3) as 10e+3.
      amount: 'Decimal[10e+3]',
      payment_type: 'Utf8',
      flag: 'Bool',
    });
    const first = rows(typed)[0]!;
    expect(first.trip_id).toBe(1);
    expect(first.payment_type).toBe('card');
    expect(first.flag).toBe(true);
  });

  it('binds positional and named parameters through prepared statements', async () => {
    const { keys } = await appWithKeys('Pascal');
    const spice = client(keys[1]);

    const positional = await spice.sql('SELECT COUNT(*) AS n FROM taxi_trips WHERE passenger_count = $1 AND payment_type = $2', {
      parameters: [2, 'cash'],
    });
    const named = await spice.sql('SELECT COUNT(*) AS n FROM taxi_trips WHERE passenger_count = $count AND payment_type = $kind', {
      parameters: { count: 2, kind: 'cash' },
    });
    const expected = await spice.sql("SELECT COUNT(*) AS n FROM taxi_trips WHERE passenger_count = 2 AND payment_type = 'cash'");
    const n = Number(rows(expected)[0]!.n);
    expect(n).toBeGreaterThan(0);
    expect(Number(rows(positional)[0]!.n)).toBe(n);
    expect(Number(rows(named)[0]!.n)).toBe(n);

    // A timestamp as text binds to a TIMESTAMP comparison. (The SDK cannot send a JS Date today:
    // its own Arrow serialisation throws "Cannot mix BigInt and other types".)
    const early = await spice.sql('SELECT COUNT(*) AS n FROM taxi_trips WHERE pickup_datetime < $1', { parameters: ['2024-01-02 00:00:00'] });
    const earlyExpected = await spice.sql("SELECT COUNT(*) AS n FROM taxi_trips WHERE pickup_datetime < TIMESTAMP '2024-01-02 00:00:00'");
    expect(Number(rows(early)[0]!.n)).toBe(Number(rows(earlyExpected)[0]!.n));
    expect(Number(rows(early)[0]!.n)).toBeGreaterThan(0);

    // A value is bound, never spliced into the SQL.
    const injected = await spice.sql('SELECT COUNT(*) AS n FROM taxi_trips WHERE payment_type = $1', { parameters: ["cash' OR '1'='1"] });
    expect(Number(rows(injected)[0]!.n)).toBe(0);
  });

  it('answers a SQL error with INVALID_ARGUMENT and the message, and refuses writes', async () => {
    const { keys } = await appWithKeys('Erin');
    const spice = client(keys[1]);
    await expect(spice.sql('SELECT * FROM no_such_table')).rejects.toMatchObject({ code: 3, details: expect.stringContaining('no_such_table') });
    await expect(spice.sql('DELETE FROM taxi_trips')).rejects.toMatchObject({ code: 3, details: expect.stringMatching(/read-only/) });
    expect(Number(rows(await spice.sql('SELECT COUNT(*) AS n FROM taxi_trips'))[0]!.n)).toBe(10_000);
  });

  it('refuses an unknown key with UNAUTHENTICATED while another key works', async () => {
    const { keys } = await appWithKeys('Ursula');
    const bogus = `${keys[1].slice(0, -6)}AAAAAA`;
    await expect(client(bogus).sql('SELECT 1 AS one')).rejects.toMatchObject({ code: 16, details: 'Unauthorized' });
    expect(rows(await client(keys[2]).sql('SELECT 1 AS one'))).toEqual([{ one: 1 }]);
  });

  it('after key 1 is regenerated, key 1 fails at once while key 2 keeps working', async () => {
    const { user, app, keys } = await appWithKeys('Rotor');
    const one = client(keys[1]);
    const two = client(keys[2]);
    expect(rows(await one.sql('SELECT 1 AS one'))).toEqual([{ one: 1 }]);

    await regenerateAs(user, app.id, [1]);

    await expect(one.sql('SELECT 1 AS one')).rejects.toMatchObject({ code: 16, details: 'Unauthorized' });
    expect(rows(await two.sql('SELECT 1 AS one'))).toEqual([{ one: 1 }]);
    const fresh = client((await currentKeys(app.id))[1]);
    expect(rows(await fresh.sql('SELECT COUNT(*) AS n FROM taxi_trips')).map((row) => Number(row.n))).toEqual([10_000]);
  });
});
