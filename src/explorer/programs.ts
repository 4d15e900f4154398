// The programs the explorer's threads run (sim.ts): sections as lock calls, each made as a
// kernel caller makes it.
import { callerFor, type LockCaller } from '../locks/calling-context.js';
import type { LockOps } from '../locks/contract.js';
import { BASE } from './sim-thread.js';
import type { LockCall } from './types.js';

/** Brackets each call, so re-execution knows where it is. */
export interface CallHooks {
  /** `section`: the program's section the call is in, counted from the thread's id. */
  begin(i: number, name: LockCall, caller: LockCaller, section: number): void;
  end(i: number, name: LockCall, ret: boolean | null, caller: LockCaller): void;
  /** Call i need not run again: what it returned (a completed call of a design whose calls are independent), else undefined. */
  skip(i: number): boolean | null | undefined;
}

/**
 * A thread's program as lock calls (sections R, W; T: a lone writeTrylock); call i is
 * bracketed by hooks. Each call is made as a
 * kernel caller makes it (calling-context); an operation with several callers takes them in
 * turn, thread `id` starting at its id-th one.
 */
export function drive(ops: LockOps, program: string, id: number, mem: Int32Array, h: CallHooks): void {
  let i = 0;
  let sections = id;
  for (const s of program) {
    const n = sections++;
    if (s === 'R') {
      const lock = callerFor('readLock', n);
      h.begin(i, 'readLock', lock, n);
      if (h.skip(i) === undefined) ops.readLock(mem, BASE);
      h.end(i++, 'readLock', null, lock);
      const unlock = callerFor('readUnlock', n);
      h.begin(i, 'readUnlock', unlock, n);
      if (h.skip(i) === undefined) ops.readUnlock(mem, BASE);
      h.end(i++, 'readUnlock', null, unlock);
    } else {
      const trylock = callerFor('writeTrylock', n);
      h.begin(i, 'writeTrylock', trylock, n);
      const ok = Boolean(h.skip(i) ?? ops.writeTrylock(mem, BASE));
      h.end(i++, 'writeTrylock', ok, trylock);
      if (ok && s === 'W') {
        const unlock = callerFor('writeUnlock', n);
        h.begin(i, 'writeUnlock', unlock, n);
        if (h.skip(i) === undefined) ops.writeUnlock(mem, BASE);
        h.end(i++, 'writeUnlock', null, unlock);
      }
    }
  }
}
