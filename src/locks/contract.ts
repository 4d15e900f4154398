// The lock-design contract: one ops table per design, as locktorture's
// `struct lock_torture_ops`. The harness never branches on which design runs.

/** The subset of the global `Atomics` a lock may use; the harness may hand an instrumented one. */
export interface LockAtomics {
  load(mem: Int32Array, index: number): number;
  store(mem: Int32Array, index: number, value: number): number;
  add(mem: Int32Array, index: number, value: number): number;
  sub(mem: Int32Array, index: number, value: number): number;
  and(mem: Int32Array, index: number, value: number): number;
  or(mem: Int32Array, index: number, value: number): number;
  xor(mem: Int32Array, index: number, value: number): number;
  exchange(mem: Int32Array, index: number, value: number): number;
  compareExchange(mem: Int32Array, index: number, expected: number, replacement: number): number;
  wait(mem: Int32Array, index: number, value: number, timeout?: number): 'ok' | 'not-equal' | 'timed-out';
  notify(mem: Int32Array, index: number, count?: number): number;
}

/** The operations of one zspage lock instance living at `mem[at .. at + words)`. */
export interface LockOps {
  init(mem: Int32Array, at: number): void;
  /** May spin; never sleeps. */
  readLock(mem: Int32Array, at: number): void;
  readUnlock(mem: Int32Array, at: number): void;
  /** Must never wait for a reader. */
  writeTrylock(mem: Int32Array, at: number): boolean;
  writeUnlock(mem: Int32Array, at: number): void;
}

/** The default export of a lock module. */
export interface LockDesign {
  name: string;
  /** Int32 words reserved per zspage lock, 1..16. */
  words: number;
  create(atomics: LockAtomics): LockOps;
}

export const MAX_LOCK_WORDS = 16;
export const LOCK_OP_NAMES = ['init', 'readLock', 'readUnlock', 'writeTrylock', 'writeUnlock'] as const;
