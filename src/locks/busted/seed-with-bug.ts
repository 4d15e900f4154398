import type { LockAtomics, LockDesign, LockOps } from '../contract.js';
import zspageAtomicFixed from '../zspage-atomic-fixed.js';

/** The seed's atomic_t lock (its corrected read loop, zspage-atomic-fixed) with some operations
 *  replaced, so that a busted design is only its bug. */
export function seedLockWith(name: string, bug: (atomics: LockAtomics) => Partial<LockOps>): LockDesign {
  return {
    name,
    words: zspageAtomicFixed.words,
    create(atomics) {
      return { ...zspageAtomicFixed.create(atomics), ...bug(atomics) };
    },
  };
}
