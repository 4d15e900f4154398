// The candidate executions of a litmus test: one run per thread (its control flow given the
// values its reads return), every rf choice that gives each read its value, and every co
// order per location (lock.cat: spin locks are ordered by their LKW events, each unlock
// right after its lock; a lock's LKR reads from its co-predecessor).
import * as E from './events.js';
import type { Ev } from './events.js';
import type { LkTest } from './file.js';
import type { Exec } from './model.js';
import { Rel } from './rel.js';
import { locationChoices, product, type LocChoice } from './perloc.js';
import { LitmusInputError, runThread, type ThreadRun } from './thread.js';
import type { Val } from './syntax.js';

const MAX_RUNS = 20_000;
const MAX_VALUES = 64;

/** The shared locations: initialized ones, thread parameters, and locations the exists clause names. */
export function sharedLocations(t: LkTest): Set<string> {
  const s = new Set<string>(t.init.keys());
  for (const th of t.threads) for (const p of th.params) s.add(p);
  for (const v of [...t.init.values(), ...t.regInit.values()]) if (typeof v === 'string') s.add(v);
  return s;
}

/**
 * Each thread's runs. A read may return any value some store can write to its location: the
 * values are found by iterating runs until no new value appears. A value's depth is the
 * length of the chain of data-dependent writes that computes it (a constant: 0); in one
 * execution such a chain uses each data-dependent write at most once, so a value deeper than
 * their number (summed over the threads' runs) is never read and is not offered.
 */
export function threadRuns(t: LkTest, shared: Set<string>): ThreadRun[][] {
  // Seeded with the program's integer constants too: a value a thread writes only on a path
  // that needs that value read first (crypto-control-data) is found that way.
  const seeds = literals(t);
  const key = (v: Val) => `${typeof v}:${v}`;
  const domain = new Map<string, Map<string, { v: Val; depth: number }>>();
  for (const l of shared) {
    const d = new Map<string, { v: Val; depth: number }>();
    for (const v of [t.init.get(l) ?? 0, ...seeds]) d.set(key(v), { v, depth: 0 });
    domain.set(l, d);
  }
  let chain = Infinity;
  for (let round = 0; ; round++) {
    let grew = false;
    const depthOf = (e: Ev) => (e.flags & E.LOCK_EVENTS ? 0 : (domain.get(e.loc!)!.get(key(e.val))?.depth ?? 0));
    const wrote = (w: Ev, events: readonly Ev[]) => {
      if (w.flags & E.LOCK_EVENTS) return;
      const depth = w.data.length === 0 ? 0 : 1 + Math.max(...w.data.map((i) => depthOf(events[i]!)));
      if (depth > chain) return;
      const d = domain.get(w.loc!)!;
      const had = d.get(key(w.val));
      if (had && had.depth <= depth) return;
      grew = true;
      d.set(key(w.val), { v: w.val, depth });
      if (d.size > MAX_VALUES) throw new LitmusInputError(`more than ${MAX_VALUES} values for ${w.loc}: too large for a litmus test`);
    };
    const snapshot = new Map([...domain].map(([l, d]) => [l, [...d.values()].map((x) => x.v)]));
    const runs = t.threads.map((th) =>
      runThread({ tid: th.id, params: th.params, body: th.body, regInit: t.regInit, shared, domain: (l) => snapshot.get(l)!, wrote }, MAX_RUNS),
    );
    let stores = 0;
    let dependent = 0;
    for (const thr of runs) {
      stores += Math.max(0, ...thr.map((r) => r.events.filter((e) => e.kind === 'W').length));
      dependent += Math.max(0, ...thr.map((r) => r.events.filter((e) => e.kind === 'W' && e.data.length > 0).length));
    }
    // the bound comes from this round's runs; a round with other runs may change it
    const changed = dependent !== chain;
    chain = dependent;
    if ((!grew && !changed) || round > stores + 1) return runs;
  }
}

function literals(t: LkTest): Set<number> {
  const out = new Set<number>();
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) x.forEach(walk);
    else if (x && typeof x === 'object') {
      const o = x as { k?: string; v?: unknown };
      if (o.k === 'num' && typeof o.v === 'number') out.add(o.v);
      else Object.values(o).forEach(walk);
    }
  };
  for (const th of t.threads) walk(th.body);
  return out;
}

export interface Combination {
  base: Omit<Exec, 'rf' | 'co'>;
  runs: ThreadRun[];
  /** Lock-model axioms that fail whatever rf and co are (lock-nest, unmatched-locks, ...). */
  invalid: boolean;
}

export function combine(t: LkTest, shared: Set<string>, runs: ThreadRun[]): Combination {
  const locs = [...shared].sort();
  const ev: Ev[] = locs.map((l) => ({ tid: -1, kind: 'W', loc: l, val: t.init.get(l) ?? 0, flags: E.IW, addr: [], data: [], ctrl: [], line: 0 }));
  const base: number[] = [];
  for (const r of runs) {
    base.push(ev.length);
    ev.push(...r.events);
  }
  const n = ev.length;
  const po = new Rel(n);
  const rmw = new Rel(n);
  for (let i = 0; i < n; i++) {
    const e = ev[i]!;
    if (e.tid < 0) continue;
    for (let j = i + 1; j < n && ev[j]!.tid === e.tid; j++) po.add(i, j);
    if (e.rmwWith !== undefined) rmw.add(i, base[e.tid]! + e.rmwWith);
  }
  return { base: { ev, base, po, rmw }, runs, invalid: !lockShapeOk(ev, po) };
}

const at = (ev: Ev[], i: number, f: number) => (ev[i]!.flags & f) !== 0;

/** lock.cat's lock-nest, nested-is-locked and unmatched-locks: one unmatched LKW per lock at most. */
function lockShapeOk(ev: Ev[], po: Rel): boolean {
  const unmatched = new Map<string, number>();
  for (let i = 0; i < ev.length; i++) {
    if (!at(ev, i, E.LKW)) continue;
    let closed = false;
    for (let j = i + 1; j < ev.length && po.has(i, j); j++) {
      if (ev[j]!.loc !== ev[i]!.loc) continue;
      if (at(ev, j, E.UL)) {
        closed = true;
        break;
      }
      if (at(ev, j, E.LKR | E.RU)) return false;
    }
    if (!closed) {
      const k = ev[i]!.loc!;
      if (unmatched.has(k)) return false;
      unmatched.set(k, i);
    }
  }
  return true;
}

/** The UL closing the critical section of LKW i, or -1. */
function unlockOf(ev: Ev[], po: Rel, i: number): number {
  for (let j = i + 1; j < ev.length && po.has(i, j); j++) {
    if (ev[j]!.loc !== ev[i]!.loc) continue;
    if (at(ev, j, E.UL)) return j;
    if (at(ev, j, E.LKW)) return -1;
  }
  return -1;
}

/** The LKW whose critical section holds event j (po-before it, no UL between), or -1. */
function enclosingLock(ev: Ev[], po: Rel, j: number): number {
  for (let i = j - 1; i >= 0 && po.has(i, j); i--) {
    if (ev[i]!.loc !== ev[j]!.loc) continue;
    if (at(ev, i, E.UL)) return -1;
    if (at(ev, i, E.LKW)) return i;
  }
  return -1;
}

/** Every rf and co of one combination of runs: per location the coherent choices, then their product. */
export function* executions(c: Combination): Generator<Exec> {
  const { ev, po, rmw } = c.base;
  const n = ev.length;
  const locs = [...new Set(ev.map((e) => e.loc).filter((l): l is string => l !== null))].sort();
  const perLoc: LocChoice[][] = locs.map((l) => locationChoices(ev, po, rmw, l, (i) => unlockOf(ev, po, i), (r) => enclosingLock(ev, po, r)));
  for (const choice of product(perLoc)) {
    const co = new Rel(n);
    const rf = new Rel(n);
    for (const ch of choice) {
      const seq = ch.co;
      for (let i = 0; i < seq.length; i++) for (let j = i + 1; j < seq.length; j++) co.add(seq[i]!, seq[j]!);
      for (const [w, r] of ch.rf) rf.add(w, r);
    }
    yield { ...c.base, rf, co };
  }
}
