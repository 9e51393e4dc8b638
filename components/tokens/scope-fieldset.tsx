/** The scopes a personal access token or an OAuth client can carry (lib/tokens/scopes.ts), with what each allows. */
const SCOPES = [
  { value: 'apps:read', hint: 'List apps and read their keys' },
  { value: 'apps:write', hint: 'Also regenerate keys (includes apps:read)' },
  { value: '*', hint: 'Everything' },
] as const;

/** The Scopes radio group of the token and OAuth client forms (field `scope`, apps:read first). */
export function ScopeFieldset() {
  return (
    <fieldset className="space-y-2">
      <legend className="text-sm font-medium text-slate-800">Scopes</legend>
      {SCOPES.map((scope) => (
        <label key={scope.value} className="flex items-start gap-2 text-sm">
          <input type="radio" name="scope" value={scope.value} defaultChecked={scope.value === 'apps:read'} className="mt-1" />
          <span>
            <span className="font-mono">{scope.value}</span> <span className="text-slate-600">— {scope.hint}</span>
          </span>
        </label>
      ))}
    </fieldset>
  );
}
