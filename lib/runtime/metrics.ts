import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ErrorCode } from '../shared/errors';
import type { KeyCheckOutcome } from './key-store';
import type { FairScheduler } from './scheduler';
import type { UnknownKeys } from './unknown-keys';

export type Door = 'http' | 'flight';

/**
 * Why a request was refused, for the refusal counter: the error codes an operator acts on, by
 * the names docs/operations.md uses. Other codes (the client's SQL, a missing table) are not
 * refusals.
 */
const REFUSALS: Partial<Record<ErrorCode, string>> = {
  unauthorized: 'unauthorized',
  rate_limited: 'rate_limited',
  queue_full: 'queue_full',
  timeout: 'timeout',
  memory_limit: 'memory',
  temp_limit: 'temp',
  result_too_large: 'result_size',
  row_too_large: 'result_size',
  payload_too_large: 'payload_size',
  unavailable: 'unavailable',
};

/** What the metrics read when scraped: the scheduler, the unknown-key memory, the workers, open Flight streams. */
export type MetricsSources = {
  scheduler?: Pick<FairScheduler, 'snapshot'>;
  unknownKeys?: UnknownKeys;
  /** The engine workers now: a label ("0", "1", "app 7") and a pid. */
  workers?: () => { label: string; pid: number }[];
  openFlightStreams?: () => number;
};

const SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];
const QUERY_SECONDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** Resident memory of a process (VmRSS), in bytes; 0 once it is gone. */
function residentBytes(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return Number(match?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/**
 * The runtime's Prometheus metrics (prom-client), one registry per runtime. Counters and
 * histograms are updated on the hot path (a labelled child, cached); gauges of state (queues,
 * workers, streams, the unknown-key memory) are read from their owners when scraped. Labels
 * carry ids and fixed words only: an organization id, never a name or a key.
 */
export class RuntimeMetrics {
  readonly registry = new Registry();
  private sources: MetricsSources = {};
  private readonly requestsTotal: Counter<'door' | 'route' | 'status'>;
  private readonly keyCheckSeconds: Histogram<'door' | 'outcome'>;
  private readonly querySeconds: Histogram<'outcome'>;
  private readonly queueWaitSeconds: Histogram<'outcome'>;
  private readonly refusalsTotal: Counter<'door' | 'reason'>;
  private readonly workerRestartsTotal: Counter<'cause'>;
  /** Labelled children, made once: the hot path then skips prom-client's label hashing. */
  private readonly counters = new Map<string, { inc(): void }>();
  private readonly histograms = new Map<string, { observe(value: number): void }>();

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 20 });
    this.requestsTotal = new Counter({
      name: 'runtime_requests_total',
      help: 'Requests answered, by door, route and status',
      labelNames: ['door', 'route', 'status'],
      registers,
    });
    this.keyCheckSeconds = new Histogram({
      name: 'runtime_key_check_duration_seconds',
      help: 'Key checks, by door and outcome (valid, malformed, unknown, unknown_cached)',
      labelNames: ['door', 'outcome'],
      buckets: SECONDS,
      registers,
    });
    this.querySeconds = new Histogram({
      name: 'runtime_query_duration_seconds',
      help: 'Queries from their slot to their last byte, by outcome (ok or the error code)',
      labelNames: ['outcome'],
      buckets: QUERY_SECONDS,
      registers,
    });
    this.queueWaitSeconds = new Histogram({
      name: 'runtime_query_queue_wait_seconds',
      help: 'Time queries waited for a slot, by outcome (started, queue_full, timeout, cancelled)',
      labelNames: ['outcome'],
      buckets: QUERY_SECONDS,
      registers,
    });
    this.refusalsTotal = new Counter({
      name: 'runtime_refusals_total',
      help: 'Requests refused, by door and reason (unauthorized, rate_limited, queue_full, timeout, memory, temp, result_size, payload_size, unavailable)',
      labelNames: ['door', 'reason'],
      registers,
    });
    this.workerRestartsTotal = new Counter({
      name: 'runtime_worker_restarts_total',
      help: 'Engine workers that stopped and were started again, by cause (the signal, or exit_<code>)',
      labelNames: ['cause'],
      registers,
    });
    const sources = () => this.sources;
    new Gauge({
      name: 'runtime_org_queries_running',
      help: 'Queries running now, by organization id',
      labelNames: ['org_id'],
      registers,
      collect() {
        this.reset();
        for (const [orgId, org] of sources().scheduler?.snapshot().byOrg ?? []) if (org.running > 0) this.set({ org_id: orgId }, org.running);
      },
    });
    new Gauge({
      name: 'runtime_org_queries_queued',
      help: 'Queries waiting for a slot now, by organization id',
      labelNames: ['org_id'],
      registers,
      collect() {
        this.reset();
        for (const [orgId, org] of sources().scheduler?.snapshot().byOrg ?? []) if (org.queued > 0) this.set({ org_id: orgId }, org.queued);
      },
    });
    new Counter({
      name: 'runtime_unknown_key_cache_total',
      help: 'Well-formed keys checked against the unknown-key memory: hit (401 without the database) or miss (looked up, no row, remembered)',
      labelNames: ['result'],
      registers,
      collect() {
        const stats = sources().unknownKeys?.stats;
        this.reset();
        this.inc({ result: 'hit' }, stats?.hits ?? 0);
        this.inc({ result: 'miss' }, stats?.misses ?? 0);
      },
    });
    new Gauge({
      name: 'runtime_unknown_key_cache_entries',
      help: 'Digests remembered as unknown now',
      registers,
      collect() {
        this.set(sources().unknownKeys?.size ?? 0);
      },
    });
    new Gauge({
      name: 'runtime_flight_streams_open',
      help: 'Flight DoGet streams open now',
      registers,
      collect() {
        this.set(sources().openFlightStreams?.() ?? 0);
      },
    });
    new Gauge({
      name: 'runtime_worker_resident_memory_bytes',
      help: 'Resident memory of each engine worker process',
      labelNames: ['worker'],
      registers,
      collect() {
        this.reset();
        for (const worker of sources().workers?.() ?? []) this.set({ worker: worker.label }, residentBytes(worker.pid));
      },
    });
  }

  /** Where the scrape-time gauges read from (set once the runtime's parts exist). */
  observe(sources: MetricsSources): void {
    this.sources = { ...this.sources, ...sources };
  }

  /** One request answered. */
  request(door: Door, route: string, status: string | number, errorCode?: ErrorCode): void {
    this.counter(`r ${door} ${route} ${status}`, () => this.requestsTotal.labels({ door, route, status: String(status) })).inc();
    const reason = errorCode && REFUSALS[errorCode];
    if (reason) this.counter(`f ${door} ${reason}`, () => this.refusalsTotal.labels({ door, reason })).inc();
  }

  keyChecked(door: Door, outcome: KeyCheckOutcome, seconds: number): void {
    const key = `${door} ${outcome}`;
    let child = this.histograms.get(key);
    if (!child) {
      child = this.keyCheckSeconds.labels({ door, outcome });
      this.histograms.set(key, child);
    }
    child.observe(seconds);
  }

  private counter(key: string, make: () => { inc(): void }): { inc(): void } {
    let child = this.counters.get(key);
    if (!child) {
      child = make();
      this.counters.set(key, child);
    }
    return child;
  }

  queueWait(outcome: string, seconds: number): void {
    this.queueWaitSeconds.observe({ outcome }, seconds);
  }

  query(outcome: string, seconds: number): void {
    this.querySeconds.observe({ outcome }, seconds);
  }

  workerRestarted(cause: string): void {
    this.workerRestartsTotal.inc({ cause });
  }

  /** The text a scrape gets (Prometheus text format 0.0.4). */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}

/**
 * The metrics server: GET /metrics on its own port (RUNTIME_METRICS_PORT, loopback by default),
 * apart from the doors, so that it can stay unreachable from the network the keys come from.
 */
export async function startMetricsServer(metrics: RuntimeMetrics, port: number, host: string): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found. Metrics are at GET /metrics.');
      return;
    }
    metrics.text().then(
      (text) => res.writeHead(200, { 'Content-Type': metrics.registry.contentType, 'Cache-Control': 'no-store' }).end(text),
      () => res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Metrics could not be collected.'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}
