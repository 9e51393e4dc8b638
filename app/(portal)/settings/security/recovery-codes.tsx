'use client';

import { useEffect, useRef } from 'react';
import { Button } from '@/components/ui/button';

const FILE_NAME = 'spice-portal-recovery-codes.txt';

/** New recovery codes, shown once: the list, a text file to download, and Done. */
export function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);

  function download() {
    const text = `Spice Portal recovery codes\nEach code signs you in once, instead of a code from your authenticator app.\n\n${codes.join('\n')}\n`;
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = FILE_NAME;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  return (
    <div role="region" aria-labelledby="new-codes-heading" className="space-y-3 rounded-md border border-amber-300 bg-amber-50 p-4">
      <h3 id="new-codes-heading" ref={heading} tabIndex={-1} className="font-semibold text-amber-900">
        Your recovery codes
      </h3>
      <p className="text-sm text-amber-900">
        Save them somewhere safe, such as a password manager: they are shown only now. Each one signs you in once if you lose your app.
      </p>
      <ul aria-label="Recovery codes" className="grid grid-cols-1 gap-1 font-mono text-sm text-slate-900 sm:grid-cols-2">
        {codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ul>
      <div className="flex flex-wrap gap-2">
        <Button variant="secondary" onClick={download}>
          Download recovery codes
        </Button>
        <Button onClick={onDone}>I have saved them</Button>
      </div>
    </div>
  );
}
