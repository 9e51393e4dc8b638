// Where a webhook may be delivered. Outbound requests go only to public unicast addresses: never
// to private, loopback, link-local, unique-local, carrier-grade NAT, multicast, unspecified,
// broadcast or reserved ones, IPv4 and IPv6 alike (an IPv4-mapped IPv6 address is judged as the
// IPv4 address it maps). WEBHOOKS_ALLOW_PRIVATE=true lifts the rule (tests, on-premises).
import ipaddr from 'ipaddr.js';
import { z } from 'zod';

/** Whether an IP address (v4 or v6, without brackets) is a public unicast one. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  // IPv6 outside global unicast (2000::/3) is never public: this also refuses the IPv4-compatible
  // form (::7f00:1 is 127.0.0.1), which ipaddr.js counts as plain unicast.
  if (parsed.kind() === 'ipv6' && !(parsed as ipaddr.IPv6).match(ipaddr.IPv6.parse('2000::'), 3)) return false;
  return parsed.range() === 'unicast';
}

/** A URL's host name as an address or a name: `[::1]` is `::1`. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

export const WEBHOOK_URL_MESSAGES = {
  invalid: 'Enter a full URL, such as https://hooks.example.com/spice.',
  notHttps: 'Webhook URLs must start with https:// (http:// only with WEBHOOKS_ALLOW_PRIVATE=true).',
  credentials: 'Put no user name or password in the URL: verify deliveries with the signing secret instead.',
  privateAddress: 'This URL points at a private, loopback or link-local address; webhooks are delivered to public addresses only.',
  tooLong: 'The URL is at most 2,000 characters.',
} as const;

/**
 * A webhook URL as the form takes it: https:// (http:// too when private addresses are allowed),
 * no credentials, and no host that is plainly not public (an address literal or localhost). A
 * name is resolved when a delivery is made, and every address it has is checked then.
 */
export function webhookUrlSchema(allowPrivate: boolean) {
  return z
    .string()
    .trim()
    .min(1, 'Enter the URL deliveries are sent to.')
    .max(2000, WEBHOOK_URL_MESSAGES.tooLong)
    .superRefine((value, ctx) => {
      const reason = urlRefusal(value, allowPrivate);
      if (reason) ctx.addIssue({ code: 'custom', message: reason });
    });
}

/** Why a URL is refused, or null. */
export function urlRefusal(value: string, allowPrivate: boolean): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return WEBHOOK_URL_MESSAGES.invalid;
  }
  if (url.protocol !== 'https:' && !(allowPrivate && url.protocol === 'http:')) return WEBHOOK_URL_MESSAGES.notHttps;
  if (!url.hostname) return WEBHOOK_URL_MESSAGES.invalid;
  if (url.username || url.password) return WEBHOOK_URL_MESSAGES.credentials;
  if (allowPrivate) return null;
  const host = hostOf(url);
  if (ipaddr.isValid(host) ? !isPublicAddress(host) : /(^|\.)localhost\.?$/i.test(host)) return WEBHOOK_URL_MESSAGES.privateAddress;
  return null;
}

/** A URL for logs, audit rows and notifications: without its query and fragment, which may hold a receiver's token. */
export function displayUrl(value: string): string {
  try {
    const url = new URL(value);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return value.slice(0, 200);
  }
}
