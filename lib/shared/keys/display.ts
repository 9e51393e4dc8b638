// The parts of the key format that are safe in the browser: no secret, no Node API.

export const API_KEY_PREFIX = 'spk_';

/** The key as the page shows it by default: prefix and last four characters visible. */
export function maskApiKey(key: string): string {
  return `${key.slice(0, API_KEY_PREFIX.length)}${'•'.repeat(16)}${key.slice(-4)}`;
}
