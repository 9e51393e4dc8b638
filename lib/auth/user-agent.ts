import Bowser from 'bowser';

/** A browser and a system in words, from a User-Agent header: "Chrome 131" and "Windows 10". */
export type UserAgentDescription = { browser: string; system: string };

/**
 * What a User-Agent says, for people: the browser with its major version, and the operating
 * system. macOS is named without its version (browsers freeze it at 10.15.7). Anything that does
 * not parse reads "Unknown browser" / "Unknown system".
 */
export function describeUserAgent(userAgent: string | null | undefined): UserAgentDescription {
  const parsed = Bowser.parse(userAgent ?? '');
  const major = parsed.browser.version?.split('.')[0];
  const browser = parsed.browser.name ? `${parsed.browser.name}${major ? ` ${major}` : ''}` : 'Unknown browser';
  const os = parsed.os;
  let system = 'Unknown system';
  if (os.name) {
    const version = os.name === 'macOS' ? undefined : (os.versionName ?? os.version);
    system = version ? `${os.name} ${version}` : os.name;
  }
  return { browser, system };
}

/** "Chrome 131 on Windows 10", for an audit event or a notification. */
export function userAgentSummary(userAgent: string | null | undefined): string {
  const { browser, system } = describeUserAgent(userAgent);
  return `${browser} on ${system}`;
}
