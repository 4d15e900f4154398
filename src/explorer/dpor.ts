// Source-set DPOR's race analysis (Abdulla, Aronis, Jonsson, Sagonas, "Optimal dynamic partial
// order reduction", POPL 2014, Algorithm 1): after each execution, every race e ⋖ e' (two
// dependent steps of different threads, e not happening before e' through any other step)
// makes sure the state before e also explores a thread that can start v = notdep(e).proc(e'),
// the steps after e that do not depend on it followed by e'. With sleep sets this explores at
// least one execution of every Mazurkiewicz trace of the client (touches.ts gives dependency).
import { dependent, type Touch } from './touches.js';

/** What race analysis needs of the exploration stack at step i. */
export interface BacktrackPoint {
  /** Threads runnable there. */
  pool: readonly number[];
  /** Bit per thread to explore there; analysis adds to it. */
  backtrack: number;
  /** Bit per thread asleep there. */
  asleep: number;
  /** Vector clock of the step taken there (set by analysis; reused while that step stays). */
  clock: Int32Array | null;
}

/**
 * Adds backtrack points for the races whose later step is at `from` or after. `sched[k]` is
 * step k's thread, `touch[k]` its footprint, `points[k]` the stack entry before it.
 */
export function addBacktracks(
  sched: readonly number[],
  touch: readonly Touch[],
  points: readonly BacktrackPoint[],
  threads: number,
  from: number,
): void {
  const n = sched.length;
  const clock: Int32Array[] = new Array(n);
  const local = new Int32Array(n); // 1-based index of step k within its thread
  const last = new Int32Array(threads).fill(-1);
  const count = new Int32Array(threads);
  const deps: number[] = [];
  for (let j = 0; j < n; j++) {
    const tj = sched[j]!;
    local[j] = ++count[tj]!;
    const prev = last[tj]! >= 0 ? clock[last[tj]!]! : null;
    last[tj] = j;
    if (j < from) {
      // a step of the prefix this execution shares with the previous one: its clock is known
      clock[j] = points[j]!.clock!;
      continue;
    }
    const c = prev ? prev.slice() : new Int32Array(threads);
    deps.length = 0;
    for (let i = j - 1; i >= 0; i--) if (sched[i] !== tj && dependent(touch[i]!, touch[j]!)) deps.push(i);
    for (const i of deps) join(c, clock[i]!);
    c[tj] = local[j]!;
    clock[j] = points[j]!.clock = c;
    // deps descending: one joined already covers an earlier one that happens before it
    const cover = prev ? prev.slice() : new Int32Array(threads);
    for (const i of deps) {
      if (cover[sched[i]!]! < local[i]!) race(i, j, sched, clock, local, points[i]!);
      join(cover, clock[i]!);
    }
  }
}

/** Race i ⋖ j: the point before i gets an initial of v, unless it has one already. */
function race(i: number, j: number, sched: readonly number[], clock: readonly Int32Array[], local: Int32Array, at: BacktrackPoint): void {
  const ti = sched[i]!;
  const v: number[] = [];
  for (let k = i + 1; k < j; k++) if (clock[k]![ti]! < local[i]!) v.push(k);
  v.push(j);
  let initials = 0;
  let seen = 0;
  for (let a = 0; a < v.length; a++) {
    const k = v[a]!;
    const p = sched[k]!;
    if ((seen >> p) & 1) continue;
    seen |= 1 << p;
    let first = true;
    // k == j: the race's own later step; i is not in v, so j's edge from i does not count
    for (let b = 0; b < a && first; b++) if (clock[k]![sched[v[b]!]!]! >= local[v[b]!]!) first = false;
    if (first) initials |= 1 << p;
  }
  if ((at.backtrack & initials) !== 0) return;
  const enabled = at.pool.filter((p) => !((at.asleep >> p) & 1));
  const pick = enabled.find((p) => (initials >> p) & 1);
  if (pick !== undefined) at.backtrack |= 1 << pick;
  else if (!at.pool.some((p) => (initials >> p) & 1)) {
    // the initials cannot run there (spinning or asleep in a wait): every thread that can
    for (const p of enabled) at.backtrack |= 1 << p;
  }
  // else every initial that can run there is asleep: explored from an earlier sibling
}

function join(into: Int32Array, from: Int32Array): void {
  for (let u = 0; u < into.length; u++) if (from[u]! > into[u]!) into[u] = from[u]!;
}
