// A lean HTTP/1.1 load generator for npm run bench: raw keep-alive sockets, one request in
// flight per connection, requests serialised once, responses parsed just enough (status,
// Content-Length or chunked) to know where each ends. Lighter than node:http's client, so that
// on a small machine the servers, not the load generator, get most of the CPU.
// Usage (as a child process): node scripts/load.mjs '<json spec>'; prints a JSON result.
import net from 'node:net';

const spec = JSON.parse(process.argv[2]);
const { host, port, durationMs, warmupMs, connections } = spec;
const headerLines = Object.entries(spec.headers ?? {})
  .map(([k, v]) => `${k}: ${v}\r\n`)
  .join('');
const body = spec.body ?? '';
const request = Buffer.from(
  `${spec.method} ${spec.path} HTTP/1.1\r\nHost: ${host}:${port}\r\nConnection: keep-alive\r\n${headerLines}` +
    (body || spec.method === 'POST' ? `Content-Length: ${Buffer.byteLength(body)}\r\n` : '') +
    `\r\n${body}`,
);

const latencies = [];
const statuses = {};
let measuring = false;
const end = Date.now() + warmupMs + durationMs;
setTimeout(() => (measuring = true), warmupMs);

/** Finds where one response ends in the buffer: [status, length] or null when incomplete. */
function parse(buffer) {
  const headerEnd = buffer.indexOf('\r\n\r\n');
  if (headerEnd < 0) return null;
  const head = buffer.subarray(0, headerEnd).toString('latin1');
  const status = Number(head.slice(9, 12));
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (length) {
    const total = headerEnd + 4 + Number(length[1]);
    return buffer.length >= total ? [status, total] : null;
  }
  if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
    let offset = headerEnd + 4;
    for (;;) {
      const lineEnd = buffer.indexOf('\r\n', offset);
      if (lineEnd < 0) return null;
      const size = parseInt(buffer.subarray(offset, lineEnd).toString('latin1'), 16);
      offset = lineEnd + 2 + size + 2;
      if (buffer.length < offset) return null;
      if (size === 0) return [status, offset];
    }
  }
  return [status, headerEnd + 4];
}

function connection() {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, host);
    socket.setNoDelay(true);
    let pending = Buffer.alloc(0);
    let sentAt = 0;
    const send = () => {
      if (Date.now() >= end) {
        socket.end();
        resolve();
        return;
      }
      sentAt = performance.now();
      socket.write(request);
    };
    socket.on('connect', send);
    socket.on('data', (chunk) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      const done = parse(pending);
      if (!done) return;
      if (measuring) {
        latencies.push(performance.now() - sentAt);
        statuses[done[0]] = (statuses[done[0]] ?? 0) + 1;
      }
      pending = pending.subarray(done[1]);
      send();
    });
    socket.on('error', reject);
  });
}

await Promise.all(Array.from({ length: connections }, connection));
latencies.sort((a, b) => a - b);
const at = (p) => latencies[Math.min(latencies.length - 1, Math.floor((latencies.length * p) / 100))] ?? NaN;
process.stdout.write(JSON.stringify({ requests: latencies.length, rps: latencies.length / (durationMs / 1000), p50: at(50), p99: at(99), statuses }));
