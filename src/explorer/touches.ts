// What each step of a Run read and wrote, as bit masks: the dependency relation of exhaustive
// exploration (dpor.ts). Lock word i is bit i (1..16 words); four more bits stand for the
// state the engine's rules and the weak model share between threads:
//   HOLD_W   who holds the write lock (the exclusion check at a call's return reads it)
//   HOLD_R   how many hold the read lock: readLock's return and readUnlock's start count it
//            up and down, and counts commute, so two readers' counts are independent
//   PAYLOAD  the weak model's payload words a section reads (read) or writes (write section)
//   SC_VIEW  the weak model's one global view, which every fully ordered op and smp_mb() join
// Two steps of different threads are dependent when one writes what the other reads, writes
// or counts, or one counts what the other reads (see `dependent`).
import type { MemoryOrder } from '../locks/contract.js';

export const PAYLOAD = 1 << 16;
export const HOLD_W = 1 << 17;
export const HOLD_R = 1 << 18;
export const SC_VIEW = 1 << 19;

/** Ops that always write their word; compareExchange writes only when it succeeds (sim.ts says so). */
const WRITES = new Set(['store', 'add', 'sub', 'and', 'or', 'xor', 'exchange', 'plainStore', 'wait', 'notify']);

/** One step's footprint. */
export interface Touch {
  read: number;
  write: number;
  count: number;
}

export function dependent(a: Touch, b: Touch): boolean {
  return ((a.write & (b.read | b.write | b.count)) | (a.read & (b.write | b.count)) | (a.count & (b.read | b.write))) !== 0;
}

/** Filled by sim.ts's Run as it runs: steps[i] is step i's footprint (the end-of-run check's steps follow). */
export class Touches {
  readonly steps: Touch[] = [];
  private reads = 0;
  private writes = 0;
  private counts = 0;

  begin(read: number): void {
    this.reads = read;
    this.writes = 0;
    this.counts = 0;
  }

  end(): void {
    this.steps.push(Object.freeze({ read: this.reads, write: this.writes, count: this.counts })); // frozen: checkpoints share it
  }

  /**
   * A new atomic op on word `rel`. `order` is null under SC. cpu_relax() reads no word, but a
   * thread spinning on it waits for any word to change: it reads them all. A fence touches no
   * word; smp_mb() and every fully ordered op (weak model) join the global view.
   */
  op(name: string, rel: number, order: MemoryOrder | null, allWords: number): void {
    if (order === 'seq_cst' && !name.startsWith('plain')) this.writes |= SC_VIEW;
    if (name === 'fence') return;
    if (name === 'relax') this.reads |= allWords;
    else if (name.endsWith('64')) {
      // a 64-bit op is one op on a pair of words; a compareExchange64 that succeeds writes them
      if (WRITES.has(name.slice(0, -2))) this.writes |= 3 << rel;
      else this.reads |= 3 << rel;
    } else if (WRITES.has(name)) this.writes |= 1 << rel;
    else this.reads |= 1 << rel;
  }

  write(bits: number, alsoRead = 0): void {
    this.writes |= bits;
    this.reads |= alsoRead;
  }

  read(bits: number): void {
    this.reads |= bits;
  }

  count(bits: number, alsoRead = 0): void {
    this.counts |= bits;
    this.reads |= alsoRead;
  }
}
