import type { LockAtomics, LockDesign, LockOps } from '../contract.js';
import zspageAtomic from '../zspage-atomic.js';

/** The seed's zspage-atomic lock with some operations replaced, so that a busted design is only its bug. */
export function seedLockWith(name: string, bug: (atomics: LockAtomics) => Partial<LockOps>): LockDesign {
  return {
    name,
    words: zspageAtomic.words,
    create(atomics) {
      return { ...zspageAtomic.create(atomics), ...bug(atomics) };
    },
  };
}
