// A lock module's first run, in a throwaway worker with a deadline per step: an
// endless loop in its top level, in create() or in an operation on an idle lock
// cannot be interrupted on the coordinator's own thread, only by ending a worker.
import { Worker } from 'node:worker_threads';
import { BadInputError } from '../errors.js';
import { compiledPath } from '../paths.js';

export const PROBE_STEP_MS = 2000;

/** What the probe worker posts: a step it starts, a verdict on the module, or success. */
export type ProbeMessage = { step: string } | { bad: string } | { ok: true };

/** Resolves when the module at `ref` loads and works on an idle lock; else a BadInputError. */
export function probeLockModule(ref: string, stepMs = PROBE_STEP_MS): Promise<void> {
  const fail = (what: string) => new BadInputError(`lock module ${ref}: ${what}`);
  return new Promise((resolve, reject) => {
    // The module's own output would break the one-line verdict: it is read and dropped.
    const worker = new Worker(compiledPath('workers', 'lock-probe.js'), { workerData: ref, stdout: true, stderr: true });
    worker.stdout.resume();
    worker.stderr.resume();
    let step = 'starting';
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const settle = (err?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      void worker.terminate();
      if (err) reject(err);
      else resolve();
    };
    worker.on('message', (m: ProbeMessage) => {
      if ('ok' in m) settle();
      else if ('bad' in m) settle(new BadInputError(m.bad));
      else {
        step = m.step;
        clearTimeout(timer);
        timer = setTimeout(() => settle(fail(`${step} did not finish within ${stepMs / 1000} s`)), stepMs);
      }
    });
    worker.on('error', (err) => settle(fail(`${step} failed: ${err.message.split('\n', 1)[0]}`)));
    worker.on('exit', (code) => settle(fail(`the probe worker exited (code ${code}) while ${step}`)));
  });
}
