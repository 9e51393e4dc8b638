import 'server-only';
import { headers } from 'next/headers';

/** The Host the request came with (the portal's server has already replaced a foreign one): the passkeys' relying party follows it on the embedded default. */
export async function requestHost(): Promise<string | null> {
  return (await headers()).get('host');
}
