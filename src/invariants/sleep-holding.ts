// A reader sleeping while it holds the read lock. When it wakes and finds a writer
// inside writeTrylock on its zspage, it stays asleep a while longer: a real trylock
// is over in microseconds, so a writer still spinning in the same call after that
// (its operation count still rising) is waiting for this reader. The reader marks
// the call; if it then succeeds, the writer reports writer-waited (invariants/shadow).
import { HDR, SHADOW } from '../arena/layout.js';

/** How long a reader outstays a spinning writeTrylock before it accuses it. */
export const WAITED_ON_MS = 100;
const SLICE_MS = 1;
/** A writer that performed fewer operations than this in WAITED_ON_MS was not spinning. */
const SPINNING_OPS = 1000;

// Sleeps on the arena's stop word, so that stopping the run wakes every sleeper.
export function sleepHolding(mem: Int32Array, shadow: number, ms: number): void {
  Atomics.wait(mem, HDR.STOP, 0, ms);
  if (Atomics.load(mem, shadow + SHADOW.TRYLOCKS_IN) === 0) return;
  const seq = Atomics.load(mem, shadow + SHADOW.TRYLOCK_SEQ);
  const ops = Atomics.load(mem, shadow + SHADOW.TRYLOCK_OPS);
  for (let waited = 0; waited < WAITED_ON_MS; waited += SLICE_MS) {
    Atomics.wait(mem, HDR.STOP, 0, SLICE_MS);
    const gone =
      Atomics.load(mem, shadow + SHADOW.TRYLOCKS_IN) === 0 || Atomics.load(mem, shadow + SHADOW.TRYLOCK_SEQ) !== seq;
    if (gone || Atomics.load(mem, HDR.STOP) !== 0) return;
  }
  if (Atomics.load(mem, shadow + SHADOW.TRYLOCK_OPS) - ops >= SPINNING_OPS) {
    Atomics.store(mem, shadow + SHADOW.WAITED_ON, seq);
  }
}
