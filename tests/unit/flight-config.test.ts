import { execFile } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { flightGeneratedCertificate, flightPublicUrl, runtimeInternalUrl, runtimePublicUrl } from '@/lib/env';
import { runtimeConfig } from '@/lib/runtime/config';
import { flightConfig } from '@/lib/runtime/flight/config';
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

  it('gives the portal and the runtime one reading of the same settings', () => {
    const env = { RUNTIME_PORT: '9100', FLIGHT_PORT: '9101', FLIGHT_TLS: 'off' };
    expect(runtimeConfig(env).port).toBe(9100);
    expect(runtimePublicUrl(env)).toBe('http://localhost:9100');
    expect(runtimeInternalUrl(env)).toBe('http://127.0.0.1:9100');
    expect(flightConfig(env)).toMatchObject({ port: 9101, tls: { mode: 'off' } });
    expect(flightPublicUrl(env)).toBe('grpc://localhost:9101');
    // A value the runtime refuses, the portal refuses too, naming the variable.
    expect(() => runtimePublicUrl({ RUNTIME_PORT: 'eighty' })).toThrow(/RUNTIME_PORT/);
    expect(() => runtimeConfig({ RUNTIME_PORT: 'eighty' })).toThrow(/RUNTIME_PORT/);
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
          execFileAsync(process.execPath, [
            '--import',
            'tsx',
            '-e',
            `import(${JSON.stringify(tls)}).then((m) => console.log(JSON.stringify(m.ensureSelfSignedCertificate(${JSON.stringify(dir)}))))`,
          ]),
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
