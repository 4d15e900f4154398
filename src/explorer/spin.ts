// Spin detection for the explorer (sim.ts): a thread that repeats an observation with the words
// it read unchanged spins, and is not run while another thread can run. The livelock,
// trylock-waited and reader-waited rules (rules.ts) judge the threads this marks.
import { BASE, type Arg, type Result, type SimThread } from './sim-thread.js';
import type { Touches } from './touches.js';

/** One letter an op, in observations (shorter state keys); an op not named here keeps its name. */
export const OP_CODES: Readonly<Record<string, string>> = {
  load: 'L', store: 'S', add: 'A', sub: 'U', and: 'N', or: 'O', xor: 'X', exchange: 'E', compareExchange: 'C',
  fence: 'F', relax: 'R', plainLoad: 'P', plainStore: 'Q', wait: 'W', notify: 'T',
};

/** What an op did and saw, as the spin watch and the folded call (spin-fold.ts) compare it. */
export function observation(name: string, rel: number, a: Arg, b: Arg, result: Result): string {
  return `${OP_CODES[name] ?? name}:${rel}:${a}:${b}:${result}`;
}

/** Times a writeTrylock comes back to one state of its own before it counts as looping. */
const CYCLE_REPEATS = 3;

export class SpinWatch {
  /** Lock word changes so far, by anybody. */
  changes = 0;
  /** Bumped at every change of a lock word: a spinning thread waits for one of its words to change. */
  private readonly wordVersion: Int32Array;

  constructor(
    private readonly mem: Int32Array,
    private readonly words: number,
    private readonly allWords: number,
    private readonly threads: readonly SimThread[],
  ) {
    this.wordVersion = new Int32Array(words);
  }

  isStuck(t: SimThread): boolean {
    return (t.stuck && this.stamp(t.watched) === t.watchStamp) || (t.cycling && this.changes - t.own === t.cycleStamp);
  }

  /** Fills `pool` with the threads that may take the next step: spinning ones only when no other can run. */
  schedulable(threads: readonly SimThread[], othersRun: boolean, pool: number[]): void {
    pool.length = 0;
    for (const t of threads) {
      if (t.done || (t.wait && !t.wait.timeout)) continue;
      if (!othersRun || !this.isStuck(t)) pool.push(t.id);
    }
  }

  /** `t` changed word `rel` (and the next, for a 64-bit op): whoever watched it may run again. */
  changed(t: SimThread, rel: number, wide: number): void {
    this.wordVersion[rel]!++;
    if (wide) this.wordVersion[rel + 1]!++;
    this.changes++;
    t.own++;
    forget(t);
    this.forgetWatchers(t, (1 + wide * 2) << rel);
  }

  /** `t` changed word `i` outside the atomics (a plain store); the caller forgets once after. */
  plainChange(t: SimThread, i: number): void {
    this.wordVersion[i]!++;
    this.changes++;
    t.own++;
    this.forgetWatchers(t, 1 << i);
  }

  /**
   * The threads other than `t` that watched a word of `mask` forget what they observed now, not
   * at their next observation (which would find the word changed and forget then): the same
   * runs, and a state caching key that does not depend on when they look next. Their fresh
   * reads hold until that observation, as they would have.
   */
  private forgetWatchers(t: SimThread, mask: number): void {
    for (const o of this.threads) {
      if (o === t || (o.watched & mask) === 0) continue;
      const fresh = o.fresh;
      forget(o);
      o.fresh = fresh;
      o.forgot = fresh !== 0;
    }
  }

  /**
   * An op of `t` that changed no word: the same observation twice, its words unchanged, is a spin.
   * A fence observes no word: what a spin waits for is the loads around it (and a fence of one
   * thread then commutes with another's write, as touches.ts has it).
   */
  observe(t: SimThread, name: string, rel: number, wide: number, a: Arg, b: Arg, result: Result, stale: boolean, touches: Touches | null): void {
    if (name === 'fence') return;
    touches?.read(t.watched); // what it makes of this one depends on whether they changed
    if (t.forgot || (t.watched !== 0 && this.stamp(t.watched) !== t.watchStamp)) forget(t);
    t.watched |= name === 'relax' ? this.allWords : (1 + wide * 2) << rel; // cpu_relax() waits for any word
    t.watchStamp = this.stamp(t.watched);
    const key = observation(name, rel, a, b, result);
    // Weak memory: while an observation may have been of an old value, a repeat is no
    // evidence of spinning; it makes the thread read the newest values of the words it
    // watches from then on, and only repeats made so count (loom's rule).
    t.unsure ||= stale;
    const seenKey = stale ? `~${key}` : key;
    // The same observation right after itself (fences aside), once, is a re-read, not yet a
    // spin: the kernel's conditional atomics read again after atomic_cond_read_acquire()
    // (a load, then smp_acquire__after_ctrl_dep()) saw the value it waited for.
    const echo = seenKey === t.last && !t.echoed;
    t.echoed = echo;
    t.last = seenKey;
    if (echo) {
      // judged by what comes next
    } else if (!t.seen.has(seenKey) && !(stale && t.seen.has(key))) t.seen.add(seenKey);
    else if (!t.unsure) t.stuck = true;
    else {
      t.fresh |= t.watched;
      t.seen.clear();
      t.unsure = false;
    }
  }

  /**
   * A writeTrylock that comes back to the same op, result and lock words CYCLE_REPEATS times with
   * nobody else changing a word in between loops on its own (its own changes undo each other, as
   * a spinlock dropped and retaken while it waits): only another thread can let it out.
   */
  cycleCheck(t: SimThread, key: string): void {
    const others = this.changes - t.own;
    if (others !== t.cycleStamp) {
      t.cycle.clear();
      t.cycleStamp = others;
      t.cycling = false;
    }
    for (let i = 0; i < this.words; i++) key += `,${this.mem[BASE + i]}`;
    const n = (t.cycle.get(key) ?? 0) + 1;
    t.cycle.set(key, n);
    // alone (the end-of-run check, a single program) it can only run on: the op bound judges it
    if (n >= CYCLE_REPEATS && this.threads.some((o) => o !== t && !o.done)) t.cycling = true;
  }

  /**
   * What the counters (changes, versions, stamps: they count the path) say of each thread's
   * future: whether the words it watched changed since, and whether others changed a word
   * since its cycle began. Only these comparisons are ever made of them, and each only when it
   * can tell: the first while the thread watches words (observe() forgets a changed watch; a
   * thread watching none is not stuck), the second while it counts a cycle (cycleCheck() on an
   * empty count leaves the same state whichever way it comes out), neither once it is done.
   */
  relations(): string {
    let s = '';
    for (const t of this.threads) {
      s += t.done || t.watched === 0 ? '-' : this.stamp(t.watched) === t.watchStamp ? '1' : '0';
      s += t.done || (t.cycle.size === 0 && !t.cycling) ? '-' : this.changes - t.own === t.cycleStamp ? '1' : '0';
    }
    return s;
  }

  private stamp(mask: number): number {
    let sum = 0;
    for (let i = 0; mask !== 0; i++, mask >>>= 1) if (mask & 1) sum += this.wordVersion[i]!;
    return sum;
  }
}

/** A new call, or a word it watched changed: what `t` observed no longer says it spins. */
export function forget(t: SimThread): void {
  t.seen.clear();
  t.last = '';
  t.echoed = false;
  t.watched = 0;
  t.stuck = false;
  t.fresh = 0;
  t.unsure = false;
  t.forgot = false;
}

export function endCycle(t: SimThread): void {
  t.cycle.clear();
  t.cycling = false;
}
