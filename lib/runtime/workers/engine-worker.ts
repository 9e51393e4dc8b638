// An engine worker: a child process of the runtime that holds app databases and runs their
// queries in DuckDB, under the memory limit the operating system enforces on it (the pool starts
// it under `prlimit --data`). It serves sockets of no kind: the serving process sends it requests
// over the IPC channel and gets bytes back (pool.ts). When the serving process goes, it goes.
import { AppError } from '../../shared/errors';
import { AppDatabases } from '../app-databases';
import { runtimeConfig } from '../config';
import { EncodingEngine } from '../encoding-engine';
import { DuckDBQueryEngine } from '../engine';
import type { IpcMessage } from '../flight/arrow-ipc';
import type { FromWorker, ToWorker, WorkerError } from './protocol';

const config = runtimeConfig();
const databases = new AppDatabases(config.dataDir, config.duckdb, { maxOpen: config.maxOpenApps });
const engine = new EncodingEngine(new DuckDBQueryEngine(databases, { ...config, workerMemoryLimit: config.workers.memoryLimit }));

type Running = {
  abort: AbortController;
  /** A stream being read: an Arrow result, or an HTTP answer's parts. */
  stream?: { close(): void; released?: Promise<void> };
  iterator?: AsyncIterator<IpcMessage[] | Uint8Array>;
};
const running = new Map<number, Running>();

function send(message: FromWorker): void {
  if (process.connected) process.send!(message);
}

function asWorkerError(error: unknown): WorkerError {
  if (error instanceof AppError)
    return { code: error.code, message: error.message, ...(error.options.retryAfter !== undefined ? { retryAfter: error.options.retryAfter } : {}) };
  // Ours, not the client's: only its kind is logged, never its message (it may hold a path).
  console.error(`[engine-worker] internal error (${error instanceof Error ? error.constructor.name : typeof error})`);
  return { code: 'internal', message: 'Internal error.' };
}

/** Ends a request with an error, once DuckDB holds nothing more of it (the slot is freed on this answer). */
async function fail(id: number, error: unknown): Promise<void> {
  const entry = running.get(id);
  if (!entry) return;
  running.delete(id);
  entry.stream?.close();
  await entry.stream?.released;
  send({ t: 'error', id, error: asWorkerError(error) });
}

async function handle(message: ToWorker): Promise<void> {
  switch (message.t) {
    case 'answer':
    case 'describe':
    case 'arrow': {
      const abort = new AbortController();
      const entry: Running = { abort };
      running.set(message.id, entry);
      const target = { appId: message.appId, orgId: '' };
      const options = { signal: abort.signal, deadline: message.deadline };
      try {
        if (message.t === 'answer') {
          const answer = await engine.answer(target, message.sql, message.parameters, {
            ...options,
            format: message.format,
            maxRows: message.maxRows,
            maxBytes: message.maxBytes,
          });
          entry.stream = answer;
          if (abort.signal.aborted) throw new AppError('cancelled', 'The client went away.');
          entry.iterator = answer.parts[Symbol.asyncIterator]();
          send({ t: 'start', id: message.id, head: { length: answer.length, truncated: answer.truncated } });
        } else if (message.t === 'describe') {
          const value = await engine.describe(target, message.sql, options);
          running.delete(message.id);
          send({ t: 'result', id: message.id, value });
        } else {
          const stream = await engine.arrow(target, message.sql, message.parameters, options);
          entry.stream = stream;
          if (abort.signal.aborted) throw new AppError('cancelled', 'The client went away.');
          entry.iterator = stream.messages[Symbol.asyncIterator]();
          send({ t: 'start', id: message.id, head: { schema: stream.schema } });
        }
      } catch (error) {
        await fail(message.id, error);
      }
      return;
    }
    case 'more': {
      const entry = running.get(message.id);
      if (!entry?.iterator) return;
      try {
        const next = await entry.iterator.next();
        // Cancelled meanwhile: the cancel answered it.
        if (running.get(message.id) !== entry) return;
        if (next.done) {
          running.delete(message.id);
          send({ t: 'end', id: message.id });
        } else send({ t: 'batch', id: message.id, part: next.value });
      } catch (error) {
        await fail(message.id, error);
      }
      return;
    }
    case 'cancel': {
      const entry = running.get(message.id);
      if (!entry) return;
      entry.abort.abort();
      if (entry.stream) await fail(message.id, new AppError('cancelled', 'The client went away.'));
      return;
    }
    case 'remove': {
      try {
        for (const appId of message.appIds) await databases.remove(appId);
        send({ t: 'result', id: message.id, value: null });
      } catch (error) {
        send({ t: 'error', id: message.id, error: asWorkerError(error) });
      }
      return;
    }
  }
}

process.on('message', (message: ToWorker) => void handle(message));
// The serving process is gone (or closed the channel): nothing more will be asked.
process.on('disconnect', () => {
  void databases.close().finally(() => process.exit(0));
});
send({ t: 'ready' });
