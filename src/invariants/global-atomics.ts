// Lock code written against the global `Atomics` is checked as strictly as code that uses the
// atomics it is given: the global is a router (src/locks/atomics-router.ts) that, while a lock
// call runs, sends every call to the instrumented atomics the lock was given. Harness code that
// can run inside a lock call (the instrumented atomics themselves, a violation report) uses
// RAW_ATOMICS. Plain typed-array reads and writes (`mem[at]`) stay invisible.
import type { LockAtomics, LockDesign, LockOps } from '../locks/contract.js';
import { ROUTE } from '../locks/atomics-router.js';

export { ATOMICS_ROUTER, installAtomicsRouter, RAW_ATOMICS } from '../locks/atomics-router.js';

/** Runs `f` with the global Atomics routed to `atomics`; the route before is back afterwards, even on a throw. */
export function withRoute<T>(atomics: LockAtomics, f: () => T): T {
  const before = ROUTE.to;
  ROUTE.to = atomics;
  try {
    return f();
  } finally {
    ROUTE.to = before;
  }
}

/**
 * `design.create(atomics)`, with every call of the ops table (and create() itself) run with
 * the global Atomics routed to `atomics`. Allocation-free per call: a load and two stores.
 */
export function createRouted(design: LockDesign, atomics: LockAtomics): LockOps {
  const ops = withRoute(atomics, () => design.create(atomics));
  return {
    init(mem, at) {
      const before = ROUTE.to;
      ROUTE.to = atomics;
      try {
        ops.init(mem, at);
      } finally {
        ROUTE.to = before;
      }
    },
    readLock(mem, at) {
      const before = ROUTE.to;
      ROUTE.to = atomics;
      try {
        ops.readLock(mem, at);
      } finally {
        ROUTE.to = before;
      }
    },
    readUnlock(mem, at) {
      const before = ROUTE.to;
      ROUTE.to = atomics;
      try {
        ops.readUnlock(mem, at);
      } finally {
        ROUTE.to = before;
      }
    },
    writeTrylock(mem, at) {
      const before = ROUTE.to;
      ROUTE.to = atomics;
      try {
        return ops.writeTrylock(mem, at);
      } finally {
        ROUTE.to = before;
      }
    },
    writeUnlock(mem, at) {
      const before = ROUTE.to;
      ROUTE.to = atomics;
      try {
        ops.writeUnlock(mem, at);
      } finally {
        ROUTE.to = before;
      }
    },
  };
}
