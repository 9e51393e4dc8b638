import { TextField } from './text-field';

/** "Type <expected> to confirm": the field of a confirmation dialog that asks for a name or id, focused as the dialog opens. */
export function TypeToConfirmField({ expected, name, value, onChange }: { expected: string; name: string; value: string; onChange: (value: string) => void }) {
  return (
    <TextField
      label={`Type ${expected} to confirm`}
      name={name}
      value={value}
      onChange={(event) => onChange(event.target.value)}
      autoComplete="off"
      spellCheck={false}
      data-autofocus
    />
  );
}
