import { execFile } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { flightGeneratedCertificate, flightPublicUrl } from '@/lib/env';
import { flightConfig } from '@/lib/runtime/flight/config';
import { peerAddress } from '@/lib/runtime/flight/server';
import { PreparedStatements } from '@/lib/runtime/flight/statements';
import { decodeTicket, encodeTicket, flightTicketSecret, parametersFromIpc } from '@/lib/runtime/flight/tickets';
import { ensureSelfSignedCertificate } from '@/lib/runtime/flight/tls';

const execFileAsync = promisify(execFile);

describe('flightConfig', () => {
  it('defaults to TLS with a generated certificate on port 50051', () => {
    const config = flightConfig({});
    expect(config).toMatchObject({ port: 50051, host: '0.0.0.0' });
    expect(config.tls).toEqual({ mode: 'generated', dir: path.resolve('data/flight-tls') });
  });

  it('serves plain gRPC when TLS is off, and takes the operator’s certificate when given', () => {
    expect(flightConfig({ FLIGHT_TLS: 'off', FLIGHT_PORT: '6000' })).toMatchObject({ port: 6000, tls: { mode: 'off' } });
    expect(flightConfig({ FLIGHT_TLS_CERT: 'c.pem', FLIGHT_TLS_KEY: 'k.pem', FLIGHT_PUBLIC_URL: 'grpc+tls://flight.example.com:443/' })).toMatchObject({
      tls: { mode: 'files', certFile: path.resolve('c.pem'), keyFile: path.resolve('k.pem') },
    });
  });

  it('gives the portal the address users are shown, and the certificate their clients must trust', () => {
    expect(flightPublicUrl({})).toBe('grpc+tls://localhost:50051');
    expect(flightPublicUrl({ FLIGHT_TLS: 'off', FLIGHT_PORT: '6000', FLIGHT_HOST: '' })).toBe('grpc://localhost:6000');
    expect(flightPublicUrl({ FLIGHT_PUBLIC_URL: 'grpc+tls://flight.example.com:443/' })).toBe('grpc+tls://flight.example.com:443');
    expect(flightGeneratedCertificate({})).toBe('data/flight-tls/cert.pem');
    expect(flightGeneratedCertificate({ FLIGHT_TLS_DIR: '/srv/somewhere/tls' })).toBe('path/to/flight-tls/cert.pem');
    expect(flightGeneratedCertificate({ FLIGHT_TLS: 'off' })).toBeNull();
    expect(flightGeneratedCertificate({ FLIGHT_TLS_CERT: 'c.pem', FLIGHT_TLS_KEY: 'k.pem' })).toBeNull();
  });

  it('names the variable that is wrong', () => {
    expect(() => flightConfig({ FLIGHT_PORT: 'abc' })).toThrow(/FLIGHT_PORT/);
    expect(() => flightConfig({ FLIGHT_TLS: 'maybe' })).toThrow(/FLIGHT_TLS/);
    expect(() => flightConfig({ FLIGHT_TLS_CERT: 'c.pem' })).toThrow(/FLIGHT_TLS_CERT and FLIGHT_TLS_KEY must be set together/);
    expect(() => flightConfig({ FLIGHT_TLS: 'off', FLIGHT_TLS_CERT: 'c.pem', FLIGHT_TLS_KEY: 'k.pem' })).toThrow(/FLIGHT_TLS is off/);
  });
});

describe('the generated certificate', () => {
  it('is made once for localhost and 127.0.0.1, with a private key only its owner reads, and reused', () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'flight-tls-')), 'flight-tls');
    try {
      const first = ensureSelfSignedCertificate(dir);
      const cert = fs.readFileSync(first.certFile);
      const certificate = new X509Certificate(cert);
      expect(certificate.subjectAltName).toContain('DNS:localhost');
      expect(certificate.subjectAltName).toContain('IP Address:127.0.0.1');
      expect(certificate.checkPrivateKey(createPrivateKey(fs.readFileSync(first.keyFile)))).toBe(true);
      expect(fs.statSync(first.keyFile).mode & 0o777).toBe(0o600);
      const again = ensureSelfSignedCertificate(dir);
      expect(fs.readFileSync(again.certFile)).toEqual(cert);
    } finally {
      fs.rmSync(path.dirname(dir), { recursive: true, force: true });
    }
  });

  it('is one matching pair when several processes make it at the same moment, and a stray key gets a clear error', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'flight-tls-'));
    try {
      const tls = path.resolve('lib/runtime/flight/tls.ts');
      for (let round = 0; round < 2; round++) {
        const dir = path.join(root, `round-${round}`);
        // Four processes, started together, each making the certificate in the same folder.
        const runs = Array.from({ length: 4 }, () =>
          execFileAsync(process.execPath, ['--import', 'tsx', '-e', `import(${JSON.stringify(tls)}).then((m) => console.log(JSON.stringify(m.ensureSelfSignedCertificate(${JSON.stringify(dir)}))))`]),
        );
        const results = await Promise.all(runs);
        for (const { stdout } of results) {
          const files = JSON.parse(stdout) as { certFile: string; keyFile: string };
          const certificate = new X509Certificate(fs.readFileSync(files.certFile));
          expect(certificate.checkPrivateKey(createPrivateKey(fs.readFileSync(files.keyFile)))).toBe(true);
        }
        expect(fs.readdirSync(dir).sort()).toEqual(['cert.pem', 'key.pem']);
      }
      // A key left without its certificate (a crash between the two): named, never overwritten in silence.
      const stray = path.join(root, 'stray');
      fs.mkdirSync(stray);
      fs.writeFileSync(path.join(stray, 'key.pem'), 'not a key');
      expect(() => ensureSelfSignedCertificate(stray, 200)).toThrow(/holds key.pem without cert.pem/);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('tickets', () => {
  const secret = flightTicketSecret(Buffer.alloc(32, 1));

  it('carry the app, the SQL and typed parameters, and are refused for another app', () => {
    const ticket = encodeTicket({ appId: 7, sql: 'SELECT $1, $2, $3', parameters: [2n ** 60n, 'x', new Uint8Array([1, 2])] }, secret);
    expect(decodeTicket(ticket, 7, secret)).toEqual({ appId: 7, sql: 'SELECT $1, $2, $3', parameters: [2n ** 60n, 'x', new Uint8Array([1, 2])] });
    expect(decodeTicket(ticket, 8, secret)).toBeNull();
    expect(decodeTicket(Buffer.from('SELECT 1'), 7, secret)).toBeNull();
    expect(decodeTicket(encodeTicket({ appId: 7, sql: 'SELECT 1', parameters: [], builtin: 'tables-with-schemas' }, secret), 7, secret)?.builtin).toBe(
      'tables-with-schemas',
    );
  });

  it('are signed: a changed, unsigned or otherwise signed ticket is refused', () => {
    const ticket = encodeTicket({ appId: 7, sql: 'SELECT 1', parameters: [] }, secret).toString();
    const payload = ticket.slice(ticket.indexOf('.') + 1);
    const builtin = payload.replace('}', ',"b":"tables-with-schemas"}');
    const signature = ticket.slice(0, ticket.indexOf('.'));
    expect(decodeTicket(Buffer.from(`${signature}.${builtin}`), 7, secret)).toBeNull();
    expect(decodeTicket(Buffer.from(`spt1:${builtin}`), 7, secret)).toBeNull();
    expect(decodeTicket(Buffer.from(`spt2:.${payload}`), 7, secret)).toBeNull();
    expect(decodeTicket(Buffer.from(ticket), 7, flightTicketSecret(Buffer.alloc(32, 2)))).toBeNull();
    expect(decodeTicket(Buffer.from(ticket), 7, secret)).not.toBeNull();
  });
});

describe('parameters bound with DoPut', () => {
  const ipc = (columns: Record<string, unknown[]>) => tableToIPC(tableFromArrays(columns as Parameters<typeof tableFromArrays>[0]), 'stream');

  it('takes positional columns by their number and named ones by name', () => {
    expect(parametersFromIpc(ipc({ $2: ['b'], $1: [1] }), { parameterCount: 2, parameterNames: ['1', '2'] })).toEqual([1, 'b']);
    expect(parametersFromIpc(ipc({ kind: ['cash'], count: [2] }), { parameterCount: 2, parameterNames: ['count', 'kind'] })).toEqual({ kind: 'cash', count: 2 });
  });

  it('refuses a wrong count, a missing name and several rows', () => {
    expect(() => parametersFromIpc(ipc({ $1: [1] }), { parameterCount: 2, parameterNames: ['1', '2'] })).toThrow('The query has 2 parameter(s) but 1 were given.');
    expect(() => parametersFromIpc(ipc({ other: [1] }), { parameterCount: 1, parameterNames: ['count'] })).toThrow(/\$count/);
    expect(() => parametersFromIpc(ipc({ $1: [1, 2] }), { parameterCount: 1, parameterNames: ['1'] })).toThrow(/one row/);
  });
});

describe('prepared statements', () => {
  const statement = (keyId: string, appId = 1) => ({ keyId, appId, sql: 'SELECT 1', columns: { names: [], types: [] }, parameterCount: 0, parameterNames: [] });

  it('are bound to their app and expire when unused', () => {
    const statements = new PreparedStatements({ ttlMs: 1000, perKey: 10, total: 100 });
    const handle = statements.create(statement('k1'), 0);
    expect(statements.get(handle, 2, 10)).toBeNull();
    expect(statements.get(handle, 1, 900)).not.toBeNull();
    expect(statements.get(handle, 1, 1800)).not.toBeNull(); // used at 900: lives until 1900
    expect(statements.get(handle, 1, 3000)).toBeNull();
  });

  it('keep at most perKey per key, dropping the least recently used', () => {
    const statements = new PreparedStatements({ ttlMs: 60_000, perKey: 2, total: 100 });
    const a = statements.create(statement('k1'), 0);
    const b = statements.create(statement('k1'), 1);
    statements.get(a, 1, 2);
    const c = statements.create(statement('k1'), 3);
    const other = statements.create(statement('k2'), 4);
    expect([a, b, c, other].map((h) => statements.get(h, 1, 5) !== null)).toEqual([true, false, true, true]);
  });

  it('keep at most `total` across all keys, dropping the least recently used of any key', () => {
    const statements = new PreparedStatements({ ttlMs: 60_000, perKey: 10, total: 3 });
    const handles = ['k1', 'k2', 'k3'].map((key, i) => statements.create(statement(key), i));
    statements.get(handles[0]!, 1, 10); // k1's is now the most recently used
    const fourth = statements.create(statement('k4'), 11);
    expect(statements.size).toBe(3);
    expect([...handles, fourth].map((h) => statements.get(h, 1, 12) !== null)).toEqual([true, false, true, true]);
  });
});

it('reads the client address from a gRPC peer', () => {
  expect(peerAddress('ipv4:127.0.0.1:50000')).toBe('127.0.0.1');
  expect(peerAddress('ipv6:[::1]:50000')).toBe('::1');
  expect(peerAddress('ipv6:[2001:db8::1]:443')).toBe('2001:db8::1');
});

describe('errors on the wire', () => {
  it('map as the HTTP door maps them, with the same messages, and hide the rest', async () => {
    const { toStatus } = await import('@/lib/runtime/flight/errors');
    const { QueryError, QueryLimitError, QueryQueueFullError, QueryTimeoutError } = await import('@/lib/runtime/query-engine');
    const logs: string[] = [];
    const log = (message: string) => logs.push(message);
    expect(toStatus(new QueryError('Table x does not exist'), log)).toEqual({ code: 3, details: 'Table x does not exist' });
    expect(toStatus(new QueryTimeoutError('The query ran longer than 30 s and was stopped.'), log)).toEqual({ code: 4, details: 'The query ran longer than 30 s and was stopped.' });
    expect(toStatus(new QueryLimitError('The result passed 16 MiB.'), log)).toEqual({ code: 3, details: 'The result passed 16 MiB.' });
    expect(toStatus(new QueryQueueFullError('Too many queries for this app.', 1), log)).toEqual({ code: 8, details: 'Too many queries for this app.' });
    expect(toStatus(new Error('ENOENT: /srv/secret/path'), log)).toEqual({ code: 13, details: 'Internal error' });
    expect(logs).toEqual(['flight: internal error (Error)']);
  });
});

describe('GetSqlInfo', () => {
  it('answers the requested entries in Flight SQL’s dense-union shape, readable by Arrow', async () => {
    const { sqlInfoTable } = await import('@/lib/runtime/flight/sql-info');
    const { tableToIPC: write, tableFromIPC: read, UnionMode } = await import('apache-arrow');
    const table = read(write(sqlInfoTable([504, 3, 0, 503, 9999])));
    expect((table.schema.fields[1]!.type as { mode: number }).mode).toBe(UnionMode.Dense);
    const rows = Array.from({ length: table.numRows }, (_, i) => [table.getChild('info_name')!.get(i), table.getChild('value')!.get(i)]);
    expect(rows).toEqual([
      [504, '"'],
      [3, true],
      [0, 'Spice Portal runtime'],
      [503, 1],
    ]);
    expect(read(write(sqlInfoTable([]))).numRows).toBeGreaterThan(10);
  });
});
