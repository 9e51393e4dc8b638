import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { FlightTls } from './config';

export type TlsFiles = { cert: Buffer; key: Buffer; certFile: string };

const WAIT_FOR_OTHER_MS = 15_000;

/**
 * A self-signed certificate for localhost and 127.0.0.1 in `dir` (cert.pem, key.pem with mode
 * 0600), made once with openssl and reused afterwards. Several processes may start at the same
 * moment on one folder (instances, or the supervisor restarting a runtime): each makes a pair
 * under temporary names, and the first to link its key into place owns the folder and renames
 * its certificate beside it; the others drop theirs and wait for that certificate. So a key and
 * a certificate from different processes never end up side by side, and nobody reads half a file.
 */
export function ensureSelfSignedCertificate(dir: string, waitMs = WAIT_FOR_OTHER_MS): { certFile: string; keyFile: string } {
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  if (fs.existsSync(certFile) && fs.existsSync(keyFile)) return { certFile, keyFile };
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const suffix = `${process.pid}.${Date.now()}.tmp`;
  const tmpCert = `${certFile}.${suffix}`;
  const tmpKey = `${keyFile}.${suffix}`;
  let owner = false;
  try {
    if (!fs.existsSync(keyFile)) {
      generate(tmpKey, tmpCert);
      try {
        // Fails if the key exists: a link is created only where nothing is.
        fs.linkSync(tmpKey, keyFile);
        owner = true;
        fs.renameSync(tmpCert, certFile);
      } catch (error) {
        if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
      }
    }
  } finally {
    fs.rmSync(tmpKey, { force: true });
    fs.rmSync(tmpCert, { force: true });
  }
  if (!owner) waitForCertificate(certFile, waitMs);
  return { certFile, keyFile };
}

function generate(keyFile: string, certFile: string): void {
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-days',
        '3650',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1',
        '-addext',
        'extendedKeyUsage=serverAuth',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    fs.chmodSync(keyFile, 0o600);
  } catch (error) {
    const reason = error instanceof Error && 'code' in error && error.code === 'ENOENT' ? 'openssl is not installed' : 'openssl failed';
    throw new Error(`Could not generate the Flight TLS certificate (${reason}); set FLIGHT_TLS_CERT and FLIGHT_TLS_KEY, or FLIGHT_TLS=off.`);
  }
}

/** Another process placed the key: its certificate follows within moments. */
function waitForCertificate(certFile: string, waitMs: number): void {
  const until = Date.now() + waitMs;
  while (!fs.existsSync(certFile)) {
    if (Date.now() > until) {
      throw new Error(
        'The Flight TLS folder (FLIGHT_TLS_DIR) holds key.pem without cert.pem: remove key.pem to generate a new pair, ' +
          'or set FLIGHT_TLS_CERT and FLIGHT_TLS_KEY.',
      );
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  }
}

/** The certificate and key the Flight server serves, or null when TLS is off. */
export function loadTls(tls: FlightTls): TlsFiles | null {
  if (tls.mode === 'off') return null;
  const { certFile, keyFile } = tls.mode === 'files' ? tls : ensureSelfSignedCertificate(tls.dir);
  return { cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile), certFile };
}
