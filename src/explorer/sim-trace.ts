// The explorer's trace (sim.ts): one entry per step, kept only when tracing.
import { describeCaller } from '../locks/calling-context.js';
import type { MemoryOrder } from '../locks/contract.js';
import type { Result, SimThread } from './sim-thread.js';
import type { LockCall, TraceStep } from './types.js';
import type { WeakRun } from './wmm/weak-run.js';

/** Stands in for trace entries when not tracing. */
const SCRATCH: TraceStep = { step: 0, thread: 0, call: 'readLock', op: null, index: null, args: [], result: null, words: [] };

export class Tracer {
  readonly trace: TraceStep[] = [];
  /** The entry of the step in progress (SCRATCH when not tracing), null until it has one. */
  entry: TraceStep | null = null;

  constructor(readonly tracing: boolean) {}

  add(step: number, t: SimThread, call: LockCall, op: string | null, index: number | null, args: number[], result: Result | null, note?: string): TraceStep {
    if (!this.tracing) return (this.entry = SCRATCH);
    const shown = typeof result === 'bigint' ? (BigInt.asIntN(53, result) === result ? Number(result) : String(result)) : result;
    const e: TraceStep = { step, thread: t.id, call, op, index, args, result: shown, words: [] };
    if (t.program === 'T') e.checker = true;
    if (note !== undefined) e.note = note;
    if (!t.callerTraced && t.caller) {
      e.caller = describeCaller(t.caller);
      t.callerTraced = true;
    }
    this.entry = e;
    this.trace.push(e);
    return e;
  }

  /** The step ended, leaving the lock words `words`: its entry (when it has one) shows them. */
  stepEnded(words: Int32Array): void {
    if (this.entry && this.tracing) this.entry.words = Array.from(words);
  }

  /** Weak memory: the op's ordering, and the store its load read from. */
  weak(e: TraceStep, name: string, order: MemoryOrder | undefined, weak: WeakRun): void {
    if (name === 'fence') e.index = null;
    e.order = name.startsWith('plain') ? 'plain' : (order ?? 'seq_cst');
    const r = weak.lastRead;
    if (r) e.readFrom = r;
  }
}
