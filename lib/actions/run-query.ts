'use server';

import { z } from 'zod';
import { getApiKeysForDisplay } from '../data/apps';
import { runtimeInternalUrl } from '../env';
import { AppError, logUnexpected } from '../shared/errors';
import { readBounded } from '../shared/http/read-bounded';
import { authedAction } from './safe-action';

/** What the Overview shows at most: the runtime caps rows; this caps the bytes the portal reads. */
const MAX_RESPONSE_BYTES = 2 * 1024 * 1024;
const SHOWN_ROWS = 100;
const TIMEOUT_MS = 35_000;

const runQuerySchema = z.object({
  appId: z.coerce.number({ error: 'Unknown app.' }).int('Unknown app.').positive('Unknown app.'),
  sql: z.string().trim().min(1, 'Enter a SQL query.').max(10_000, 'The query is at most 10,000 characters.'),
});

export type QueryTable = { columns: string[]; rows: string[][]; totalRows: number; truncated: boolean };

async function readCapped(response: Response): Promise<string> {
  const tooLarge = () => new AppError('invalid', 'The result is too large to show here. Add a LIMIT, or query the runtime directly.');
  return Buffer.from(await readBounded(response.body, MAX_RESPONSE_BYTES, tooLarge)).toString('utf8');
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/**
 * Runs a query against the app's runtime with the app's own API Key 1, from the portal's server
 * (the key never reaches the browser here, and a user reaches only apps they are a member of).
 * The answer is a small table, or the runtime's error text.
 */
export const runQuery = authedAction(
  { name: 'run-query', schema: runQuerySchema, permission: 'key:view', app: (input) => ({ id: input.appId }) },
  async (input, { access }): Promise<QueryTable> => {
    const [key] = await getApiKeysForDisplay(access, [1]);
    let response: Response;
    try {
      response = await fetch(`${runtimeInternalUrl()}/v1/sql`, {
        method: 'POST',
        headers: { 'X-API-Key': key!.key, 'Content-Type': 'text/plain', Accept: 'application/json' },
        body: input.sql,
        signal: AbortSignal.timeout(TIMEOUT_MS),
        cache: 'no-store',
      });
    } catch (error) {
      logUnexpected('action run-query', error);
      throw new AppError('internal', 'The runtime did not answer. Check that it is running, then try again.');
    }
    const text = await readCapped(response);
    if (!response.ok) {
      let message = `The runtime answered ${response.status}.`;
      try {
        const body = JSON.parse(text) as { error?: unknown };
        if (typeof body.error === 'string') message = body.error;
      } catch {
        // Not JSON (401 "Unauthorized", 429 text): keep the status.
      }
      throw new AppError('invalid', message);
    }
    const rows = JSON.parse(text) as Record<string, unknown>[];
    const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
    return {
      columns,
      rows: rows.slice(0, SHOWN_ROWS).map((row) => columns.map((column) => cell(row[column]))),
      totalRows: rows.length,
      truncated: response.headers.get('x-rows-truncated') === 'true' || rows.length > SHOWN_ROWS,
    };
  },
);
