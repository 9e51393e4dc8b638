let copies = 0;

/**
 * Marks the start of a copy. A copy whose text takes a moment (a check with the server) writes
 * only if no later copy began meanwhile, so that the clipboard holds what the user copied last,
 * never an earlier copy that finished late.
 */
export function startCopy(): { isLatest(): boolean } {
  const mine = ++copies;
  return { isLatest: () => mine === copies };
}

/**
 * Copies text. Uses the Clipboard API where the page may (a secure context), and falls back to a
 * selected hidden textarea with execCommand('copy') where it is missing or refused. Returns false
 * only when both fail, so the caller can say so: never a silent no-op.
 */
export async function copyText(text: string): Promise<boolean> {
  if (typeof navigator !== 'undefined' && navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // Refused (permissions, focus): try the fallback.
    }
  }
  const active = document.activeElement as HTMLElement | null;
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.setAttribute('aria-hidden', 'true');
  area.style.position = 'fixed';
  area.style.top = '0';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  let copied = false;
  try {
    copied = document.execCommand('copy');
  } catch {
    copied = false;
  }
  area.remove();
  active?.focus();
  return copied;
}
