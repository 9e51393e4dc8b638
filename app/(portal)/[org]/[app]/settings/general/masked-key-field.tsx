import { KeyUsage, keyOrigin } from '@/components/keys/key-usage';
import { RelativeTime } from '@/components/ui/relative-time';
import type { ApiKeyUsageView } from '@/lib/data/apps';
import { API_KEY_PREFIX } from '@/lib/shared/keys/display';

/**
 * One key for a role that may not see it (a viewer): the field stays masked, with no character
 * of the key (the page never had it), no Copy, Show or Regenerate, and the refusal in their
 * place; who made the key and how it is used stay visible.
 */
export function MaskedKeyField({ view, now, reason }: { view: ApiKeyUsageView; now: number; reason: string }) {
  const label = `API Key ${view.slot}`;
  const inputId = `api-key-${view.slot}`;
  return (
    <div className="space-y-1">
      <label htmlFor={inputId} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <input
        id={inputId}
        readOnly
        value={`${API_KEY_PREFIX}${'•'.repeat(20)}`}
        aria-describedby={`${inputId}-reason ${inputId}-history ${inputId}-usage`}
        spellCheck={false}
        className="w-full min-w-0 rounded-md border border-slate-300 bg-slate-100 px-2 py-2 font-mono text-xs text-slate-600 focus:outline-2 focus:outline-indigo-600 sm:px-3 sm:text-sm"
      />
      <p id={`${inputId}-reason`} className="text-xs text-slate-600">
        {reason}
      </p>
      <p id={`${inputId}-history`} className="text-xs text-slate-600">
        {view.regenerated ? 'Regenerated' : 'Created'} <RelativeTime date={view.createdAt} now={now} />
        {keyOrigin(view)}
      </p>
      <p id={`${inputId}-usage`} className="text-xs text-slate-600">
        <KeyUsage view={view} now={now} />
      </p>
    </div>
  );
}
