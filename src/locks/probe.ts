// A lock module's first run, in a throwaway worker with a deadline per step: an
// endless loop in its top level, in create() or in an operation on an idle lock
// cannot be interrupted on the coordinator's own thread, only by ending a worker.
import { BadInputError } from '../errors.js';
import type { ProbeMessage } from '../supervised/probe-messages.js';
import { awaitAnswer, spawnWorker } from '../supervised/worker.js';

export const PROBE_STEP_MS = 2000;

/** Resolves when the module at `ref` loads and works on an idle lock; else a BadInputError. */
export function probeLockModule(ref: string, stepMs = PROBE_STEP_MS): Promise<void> {
  const fail = (what: string) => new BadInputError(`lock module ${ref}: ${what}`);
  let step = 'starting';
  return awaitAnswer<ProbeMessage, void>(spawnWorker('lock-probe', ref), {
    after: 'terminate',
    message(m, s) {
      if ('ok' in m) s.resolve();
      else if ('bad' in m) s.reject(new BadInputError(m.bad));
      else {
        step = m.step;
        s.deadline(stepMs, () => s.reject(fail(`${step} did not finish within ${stepMs / 1000} s`)));
      }
    },
    error: (err, s) => s.reject(fail(`${step} failed: ${err.message.split('\n', 1)[0]}`)),
    exit: (code, s) => s.reject(fail(`the probe worker exited (code ${code}) while ${step}`)),
  });
}
