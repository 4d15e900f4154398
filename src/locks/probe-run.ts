// The lock probe's worker side (src/locks/probe.ts supervises it): load the module, check
// its shape, and take an idle lock through every operation once, announcing each step
// before it starts.
import { BadInputError, errorMessage } from '../errors.js';
import type { ProbeMessage } from '../supervised/probe-messages.js';
import { RAW_ATOMICS } from './atomics-router.js';
import { isCLockRef, loadCLock } from './c/load.js';
import { callAs, withPreemptCount, type PreemptCount } from './calling-context.js';
import { LOCK_OP_NAMES, type LockDesign } from './contract.js';
import { checkLockDesign } from './registry.js';

const firstLine = (err: unknown) => errorMessage(err).split('\n', 1)[0];

/** The probe's verdict on the module at `ref`; `post` announces each step. */
export async function runProbe(ref: string, post: (m: ProbeMessage) => void): Promise<ProbeMessage> {
  post({ step: 'loading the module' });
  if (isCLockRef(ref)) {
    try {
      return exercise(ref, await loadCLock(ref), post);
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
  return exercise(ref, design, post);
}

function exercise(ref: string, design: LockDesign, post: (m: ProbeMessage) => void): ProbeMessage {
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
