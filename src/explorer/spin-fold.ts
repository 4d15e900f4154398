// State caching's view of a call that spins (state-key.ts): the call's ops with every completed
// failed spin iteration removed, so that a call that probed a held word twice and one that
// probed it three times are one state.
//
// The assumption, the one the explorer's spin detection (spin.ts) already makes: lock code is
// deterministic in what its ops return, and a thread that repeats an observation (the same op
// on the same word with the same arguments and result) in one call, with no write of its own
// since the first one, is back where it was when it made the first: the same point of its
// code, the same locals. That is why the spin watch does not run it again until one of the
// words changes (it would only go round again, reading), and it is the spin-assume / await
// transformation of model checkers such as GenMC. The ops between the two observations made
// no write and changed nothing of the thread: one failed iteration. Dropping it from the key
// leaves the state the thread was in after the first observation. The spin watch's exception
// is kept: an observation repeated once right after itself is a re-read after a
// cond-read loop (atomic_cond_read_acquire()), not an iteration, so `x x` stays and `x x x`
// is `x x`. A write (an op that changed a word, a plain store, a wait that slept) ends what
// can be folded: repeats are looked for after the last one only.
//
// A loop that writes folds only where its code says a new round begins (LockAtomics.loop's
// 'round'): the rounds before it are dropped, the memory they left is keyed as every state's
// is. Rounds that bring the whole state back close a cycle, which exhaustive.ts reports as the
// livelock it is.
import type { LockDesign, LoopEdge } from '../locks/contract.js';
import type { SimThread } from './sim-thread.js';
import { OP_CODES, type SpinWatch } from './spin.js';

/** Marks a write in a folded history: nothing before it folds with what comes after. */
const WRITE = '!';
const FENCE = `${OP_CODES.fence}:`;

/**
 * Appends `t`'s new op to its call's folded history: `obs` what it did and saw, `words` (a plain
 * design) the words it left, which the code after it may read plainly. Under SC plain reads are
 * not seen, so, as for the spin watch (whose observations leave them out), a repeat is judged
 * on `obs` alone, and the earlier observation's words are the ones kept. Returns whether the op
 * ended a failed round of a declared loop that only read (see `readOnlyRound`).
 */
export function fold(t: SimThread, obs: string, words: string, write: boolean): boolean {
  const f = t.folded;
  if (write || obs.startsWith(FENCE)) {
    // a fence observes nothing (spin.ts): it stays, and is never the repeat that folds
    f.push((write ? WRITE : '') + obs + words);
    return false;
  }
  let j = f.length - 1;
  while (j >= 0 && !same(f[j]!, obs) && f[j]![0] !== WRITE) j--;
  // not seen since the last write, or an echo (`x x`, fences aside: a re-read, not an iteration)
  const echo = j >= 0 && j === lastOp(f, f.length - 1) && !same(f[lastOp(f, j - 1)] ?? '', obs);
  if (j < 0 || !same(f[j]!, obs) || echo) {
    f.push(obs + words);
    return false;
  }
  const readOnly = readOnlyRound(t, j);
  f.length = j + 1; // the iteration since the earlier observation failed: back there
  return readOnly;
}

/**
 * Whether the round that just failed back to folded entry `j` lies in a declared loop
 * (LockAtomics.loop) and made atomic reads only: no write, plain access or fence. Such a round
 * leaves the thread where it was after entry `j` with the memory as it was, but for its own
 * views, which only grew: whatever can follow it can follow without it, with at least the same
 * read candidates. State caching cuts it (Run.dominated) when its last read was of an older
 * message than the first candidate explored, or while othersOutsideLoops().
 */
function readOnlyRound(t: SimThread, j: number): boolean {
  if (t.loopFrom < 0 || j < t.loopFrom) return false;
  const f = t.folded;
  for (let i = j + 1; i < f.length; i++) {
    const c = f[i]![0];
    if (c === WRITE || c === OP_CODES.plainLoad || c === OP_CODES.fence) return false;
  }
  return true;
}

/** The last entry at or before `i` that is not a fence (-1: none). */
function lastOp(f: readonly string[], i: number): number {
  while (i >= 0 && f[i]!.startsWith(FENCE)) i--;
  return i;
}

/**
 * `t`'s op just performed. A plain design's code after it may also read the words as the op
 * left them: all of them, or, for a design that reports its plain accesses, those the stretch
 * after the op reads, which the state key takes from `@#k` (the call's k-th op).
 */
export function foldOp(t: SimThread, obs: string, changed: boolean, design: LockDesign): boolean {
  const words = design.plainAccess !== true ? '' : design.plainReported ? `@#${t.callOps}` : `@${t.post[t.memo.length - 1]!.join(',')}`;
  return fold(t, obs, words, changed);
}

/** `t` begins a call: nothing of its last one folds with it. */
export function foldStart(t: SimThread): void {
  t.folded.length = 0;
  t.loopFrom = -1;
}

/**
 * `t`'s code entered a loop that keeps nothing from one round to the next (LockAtomics.loop,
 * as spin_lock()'s), began a new round of it, or left it. At a new round the rounds before are
 * dropped: the thread is where it was at the first. Leaving, the rounds before the last are
 * dropped: the thread is where it would be had the op that ended the loop come in the first
 * round. Only where the thread is new (re-execution passes the same edges again: they change
 * nothing then).
 */
export function loopEdge(t: SimThread, edge: LoopEdge): void {
  if (edge === 'enter') t.loopFrom = t.folded.length;
  else if (edge === 'round') {
    if (t.loopFrom >= 0) t.folded.length = t.loopFrom;
  } else if (t.loopFrom >= 0) {
    if (t.loopFrom < t.folded.length) t.folded.splice(t.loopFrom, t.folded.length - 1 - t.loopFrom);
    t.loopFrom = -1;
  }
}

/**
 * Whether a thread other than `t` can run, is in no declared loop and holds no read lock: while
 * one is, cutting `t`'s failed rounds (exhaustive.ts) leaves a run that goes on, and no spin rule
 * could judge `t` yet. When every thread that can run spins in such a loop or holds a read lock,
 * the rounds go on and the spin watch judges them: a deadlock is found, and so is a trylock or
 * reader that spins while only readers holding the lock can run (rules.ts).
 */
export function othersOutsideLoops(threads: readonly SimThread[], t: SimThread, spin: SpinWatch): boolean {
  for (const o of threads) {
    if (o !== t && !o.done && !(o.wait && !o.wait.timeout) && o.loopFrom < 0 && o.holds !== 'read' && !spin.isStuck(o)) return true;
  }
  return false;
}

/** Whether folded entry `entry` is observation `obs` (with or without the words it left). */
function same(entry: string, obs: string): boolean {
  return entry.startsWith(obs) && (entry.length === obs.length || entry[obs.length] === '@');
}
