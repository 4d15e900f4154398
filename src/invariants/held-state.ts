// What each worker is doing, in its own arena line, so that a stall report can say
// who holds what.
import { WRK } from '../arena/layout.js';

export const STATE = {
  IDLE: 0,
  READ_LOCKING: 1,
  READ_HELD: 2,
  READ_HELD_ASLEEP: 3,
  WRITE_TRYLOCKING: 4,
  WRITE_HELD: 5,
  PARKED: 6,
  IN_OPERATION: 7,
  DONE: 8,
  READ_UNLOCKING: 9,
  WRITE_UNLOCKING: 10,
} as const;

export const STATE_NAMES = [
  'idle',
  'acquiring the read lock',
  'holding the read lock',
  'holding the read lock, asleep',
  'in writeTrylock',
  'holding the write lock',
  'parked',
  'in a model operation',
  'done',
  'in readUnlock',
  'in writeUnlock',
];

/** Records worker state into its arena line. At each start and end of a zspage lock operation the
 *  shadow's core (shadow-core.ts) writes the same two words, in the same order. */
export class HeldState {
  constructor(
    private readonly mem: Int32Array,
    private readonly at: number,
  ) {}

  // Plain stores: aligned Int32 writes never tear, their readers (watchdog, stall
  // report) only print them, and parking orders them with its Atomics.add. As six
  // seq-cst stores per read they took about a sixth of a reader cycle (docs/BENCHMARKS.md).
  set(state: number, zspage: number): void {
    this.mem[this.at + WRK.ZSPAGE] = zspage;
    this.mem[this.at + WRK.STATE] = state;
  }
}
