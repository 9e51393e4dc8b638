import { WebAuthnError } from '@simplewebauthn/browser';

/**
 * What to tell the user when the browser's side of a passkey ceremony fails (before the server
 * sees anything): cancelled or timed out, an authenticator already added, or an address passkeys
 * cannot work on (browsers refuse an IP address such as 127.0.0.1 as a relying party id).
 */
export function passkeyBrowserMessage(error: unknown, doing: 'add' | 'use'): string {
  if (error instanceof WebAuthnError) {
    if (error.code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED') return 'This passkey is already added.';
    if (error.code === 'ERROR_INVALID_DOMAIN' || error.code === 'ERROR_INVALID_RP_ID') {
      return `Passkeys don't work at this address. Open the portal at its name (for example http://localhost:${window.location.port || '3000'}) instead of an IP address.`;
    }
  }
  if (error instanceof Error && (error.name === 'NotAllowedError' || error.name === 'AbortError')) {
    return doing === 'add' ? 'No passkey was added: it was cancelled or timed out.' : 'The passkey request was cancelled or timed out.';
  }
  return doing === 'add' ? 'Could not add a passkey in this browser.' : 'Could not use a passkey in this browser.';
}
