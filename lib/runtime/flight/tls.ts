import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { FlightTls } from './config';

export type TlsFiles = { cert: Buffer; key: Buffer; certFile: string };

/**
 * A self-signed certificate for localhost and 127.0.0.1 in `dir` (cert.pem, key.pem with mode
 * 0600), made once with openssl and reused afterwards. Written under temporary names and renamed
 * into place, so a second process starting at the same moment never reads half a file.
 */
export function ensureSelfSignedCertificate(dir: string): { certFile: string; keyFile: string } {
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  if (fs.existsSync(certFile) && fs.existsSync(keyFile)) return { certFile, keyFile };
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const suffix = `${process.pid}.${Date.now()}.tmp`;
  const tmpCert = `${certFile}.${suffix}`;
  const tmpKey = `${keyFile}.${suffix}`;
  try {
    execFileSync(
      'openssl',
      [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-keyout', tmpKey, '-out', tmpCert, '-days', '3650',
        '-subj', '/CN=localhost',
        '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1',
        '-addext', 'extendedKeyUsage=serverAuth',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    fs.chmodSync(tmpKey, 0o600);
    fs.renameSync(tmpKey, keyFile);
    fs.renameSync(tmpCert, certFile);
  } catch (error) {
    fs.rmSync(tmpKey, { force: true });
    fs.rmSync(tmpCert, { force: true });
    const reason = error instanceof Error && 'code' in error && error.code === 'ENOENT' ? 'openssl is not installed' : 'openssl failed';
    throw new Error(`Could not generate the Flight TLS certificate (${reason}); set FLIGHT_TLS_CERT and FLIGHT_TLS_KEY, or FLIGHT_TLS=off.`);
  }
  return { certFile, keyFile };
}

/** The certificate and key the Flight server serves, or null when TLS is off. */
export function loadTls(tls: FlightTls): TlsFiles | null {
  if (tls.mode === 'off') return null;
  const { certFile, keyFile } = tls.mode === 'files' ? tls : ensureSelfSignedCertificate(tls.dir);
  return { cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile), certFile };
}
