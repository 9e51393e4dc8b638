/** An app's description: optional, at most 500 characters, with the action's error for it. */
export function DescriptionField({ defaultValue, error }: { defaultValue?: string; error?: string }) {
  return (
    <div className="space-y-1">
      <label htmlFor="field-description" className="block text-sm font-medium text-slate-800">
        Description <span className="font-normal text-slate-600">(optional)</span>
      </label>
      <textarea
        id="field-description"
        name="description"
        rows={3}
        maxLength={500}
        defaultValue={defaultValue}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? 'field-description-error' : undefined}
        className="block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:outline-2 focus:outline-indigo-600"
      />
      {error ? (
        <p id="field-description-error" className="text-sm text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}
