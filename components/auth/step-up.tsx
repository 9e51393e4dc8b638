'use client';

import { createContext, useCallback, useContext, useRef, useState, type ReactNode } from 'react';
import type { ActionResult } from '@/lib/actions/safe-action';
import type { ReauthOption } from '@/lib/auth/step-up';
import { ReauthDialog } from './reauth-dialog';

/** Runs an action call; when it answers `reauth_required`, asks "Confirm it's you" and, once confirmed, runs it once more. */
export type StepUp = <T>(call: () => Promise<ActionResult<T>>) => Promise<ActionResult<T>>;

const StepUpContext = createContext<StepUp | null>(null);

/**
 * Once the dialog has closed, focus goes back to what had it before, usually the button that
 * started the action. That button is often disabled while its action runs, so this waits (a few
 * seconds at most) until it can take focus, unless focus has meanwhile gone somewhere on purpose
 * (the caller's dialog closed and moved it) or the element is gone.
 */
function restoreFocus(target: HTMLElement | null, framesLeft = 300): void {
  if (!target?.isConnected) return;
  const active = document.activeElement;
  if (active && active !== document.body && active !== target) return;
  if (!target.matches(':disabled')) {
    target.focus();
    return;
  }
  if (framesLeft > 0) requestAnimationFrame(() => restoreFocus(target, framesLeft - 1));
}

/**
 * Gives the portal's pages `useStepUp()`, and shows the "Confirm it's you" dialog when a
 * sensitive action asks for it (`options`: the user's ways to confirm, from reauthOptions).
 * Nothing on the page is reloaded or reset: the caller's own dialog or form waits, busy, and
 * carries on with the answer of the second call. Calls that ask at the same moment share one dialog.
 */
export function StepUpProvider({ options, children }: { options: ReauthOption[]; children: ReactNode }) {
  const [asking, setAsking] = useState<((confirmed: boolean) => void) | null>(null);
  const question = useRef<Promise<boolean> | null>(null);

  const confirmIdentity = useCallback(() => {
    question.current ??= new Promise<boolean>((resolve) => {
      setAsking(() => (confirmed: boolean) => {
        question.current = null;
        setAsking(null);
        resolve(confirmed);
      });
    });
    return question.current;
  }, []);

  const stepUp = useCallback<StepUp>(
    async (call) => {
      // Taken before the first await: the button that started the call still has focus (it is disabled once its action is under way).
      const returnFocus = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      const first = await call();
      if (first.ok || first.code !== 'reauth_required') return first;
      const confirmed = await confirmIdentity();
      restoreFocus(returnFocus);
      return confirmed ? call() : first;
    },
    [confirmIdentity],
  );

  return (
    <StepUpContext value={stepUp}>
      {children}
      {asking ? <ReauthDialog options={options} onDone={asking} /> : null}
    </StepUpContext>
  );
}

/** The portal's StepUp: wrap each call of an action declared with `stepUp: true`. */
export function useStepUp(): StepUp {
  const stepUp = useContext(StepUpContext);
  if (!stepUp) throw new Error('useStepUp needs a StepUpProvider (app/(portal)/layout.tsx)');
  return stepUp;
}
