// Lock code written against the global `Atomics` is checked as strictly as code that uses the
// atomics it is given: while a lock call runs, `globalThis.Atomics` is a stand-in whose methods
// are the instrumented atomics'. Harness code that can run inside a lock call (the instrumented
// atomics themselves, a violation report) uses RAW_ATOMICS, the original captured here before
// any lock code runs. Plain typed-array reads and writes (`mem[at]`) stay invisible.
import type { LockAtomics, LockDesign, LockOps } from '../locks/contract.js';

/** The global Atomics as the runtime made it. */
export const RAW_ATOMICS: typeof Atomics = Atomics;

const global = globalThis as { Atomics: unknown };

/**
 * An object shaped like the global Atomics whose methods are `atomics`' where it has them
 * (bound, so `const { load } = Atomics` works too) and the original's otherwise (isLockFree...).
 */
export function asGlobalAtomics(atomics: LockAtomics): typeof Atomics {
  const stand: Record<string | symbol, unknown> = { [Symbol.toStringTag]: 'Atomics' };
  for (const name of Object.getOwnPropertyNames(RAW_ATOMICS)) {
    const raw = (RAW_ATOMICS as unknown as Record<string, unknown>)[name];
    if (typeof raw !== 'function') continue;
    const own = (atomics as unknown as Record<string, unknown>)[name];
    stand[name] = typeof own === 'function' ? own.bind(atomics) : raw.bind(RAW_ATOMICS);
  }
  return Object.freeze(stand) as unknown as typeof Atomics;
}

/** Runs `f` with `stand` as the global Atomics; the original is back afterwards, even on a throw. */
export function withGlobalAtomics<T>(stand: typeof Atomics, f: () => T): T {
  const saved = global.Atomics;
  global.Atomics = stand;
  try {
    return f();
  } finally {
    global.Atomics = saved;
  }
}

/**
 * `design.create(atomics)`, with every call of the ops table (and create() itself) run with
 * the global Atomics routed to `atomics`. Allocation-free per call: two stores of a global.
 */
export function createRouted(design: LockDesign, atomics: LockAtomics): LockOps {
  const stand = asGlobalAtomics(atomics);
  const ops = withGlobalAtomics(stand, () => design.create(atomics));
  return {
    init(mem, at) {
      global.Atomics = stand;
      try {
        ops.init(mem, at);
      } finally {
        global.Atomics = RAW_ATOMICS;
      }
    },
    readLock(mem, at) {
      global.Atomics = stand;
      try {
        ops.readLock(mem, at);
      } finally {
        global.Atomics = RAW_ATOMICS;
      }
    },
    readUnlock(mem, at) {
      global.Atomics = stand;
      try {
        ops.readUnlock(mem, at);
      } finally {
        global.Atomics = RAW_ATOMICS;
      }
    },
    writeTrylock(mem, at) {
      global.Atomics = stand;
      try {
        return ops.writeTrylock(mem, at);
      } finally {
        global.Atomics = RAW_ATOMICS;
      }
    },
    writeUnlock(mem, at) {
      global.Atomics = stand;
      try {
        ops.writeUnlock(mem, at);
      } finally {
        global.Atomics = RAW_ATOMICS;
      }
    },
  };
}
