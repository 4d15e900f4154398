// The lock probe's worker: load the module, check its shape, and take an idle lock
// through every operation once, announcing each step before it starts.
import { parentPort, workerData } from 'node:worker_threads';
import { BadInputError, errorMessage } from '../src/errors.js';
import { isCLockRef, loadCLock } from '../src/locks/c/load.js';
import { RAW_ATOMICS } from '../src/invariants/global-atomics.js';
import { callAs, withPreemptCount, type PreemptCount } from '../src/locks/calling-context.js';
import { LOCK_OP_NAMES, type LockDesign } from '../src/locks/contract.js';
import { checkLockDesign } from '../src/locks/registry.js';
import { installAtomicsRouter } from '../src/locks/atomics-router.js';
import type { ProbeMessage } from '../src/supervised/probe-messages.js';

// Every global Atomics a lock module reaches is the router, however it reached it.
installAtomicsRouter();

const ref = workerData as string;
const post = (m: ProbeMessage) => parentPort!.postMessage(m);
const firstLine = (err: unknown) => errorMessage(err).split('\n', 1)[0];

async function probe(): Promise<ProbeMessage> {
  post({ step: 'loading the module' });
  if (isCLockRef(ref)) {
    try {
      return exercise(await loadCLock(ref));
    } catch (err) {
      if (err instanceof BadInputError) return { bad: err.message };
      return { bad: `lock module ${ref}: failed to load: ${firstLine(err)}` };
    }
  }
  let mod: { default?: unknown };
  try {
    mod = (await import(ref)) as { default?: unknown };
  } catch (err) {
    return { bad: `lock module ${ref}: failed to load: ${firstLine(err)}` };
  }
  post({ step: 'create()' });
  let design;
  try {
    design = checkLockDesign(mod.default, ref);
  } catch (err) {
    if (err instanceof BadInputError) return { bad: err.message };
    throw err;
  }
  return exercise(design);
}

function exercise(design: LockDesign): ProbeMessage {
  const at = 1;
  const mem = new Int32Array(new SharedArrayBuffer(4 * (at + design.words + 1)));
  // the raw atomics, with a preempt_count each operation's kernel caller sets (calling-context)
  const cpu: PreemptCount = { preemptCount: 0 };
  const ops = design.create(withPreemptCount(RAW_ATOMICS, cpu));
  for (const op of LOCK_OP_NAMES) {
    post({ step: `${op}() on an idle lock` });
    try {
      callAs(cpu, op, () => ops[op](mem, at));
    } catch (err) {
      return { bad: `lock module ${ref}: ${op}() threw on an idle lock: ${firstLine(err)}` };
    }
  }
  return { ok: true };
}

post(await probe());
