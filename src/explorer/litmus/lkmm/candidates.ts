// The candidate executions of a litmus test: one run per thread (its control flow given the
// values its reads return), every rf choice that gives each read its value, and every co
// order per location (lock.cat: spin locks are ordered by their LKW events, each unlock
// right after its lock; a lock's LKR reads from its co-predecessor).
import * as E from './events.js';
import type { Ev } from './events.js';
import type { LkTest } from './file.js';
import type { Exec } from './model.js';
import { Rel } from './rel.js';
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
 * values are found by iterating runs until no new value appears (values form chains along rf,
 * so as many rounds as there are stores suffice).
 */
export function threadRuns(t: LkTest, shared: Set<string>): ThreadRun[][] {
  const domain = new Map<string, Set<Val>>();
  for (const l of shared) domain.set(l, new Set([t.init.get(l) ?? 0]));
  for (let round = 0; ; round++) {
    const runs = t.threads.map((th) =>
      runThread({ tid: th.id, params: th.params, body: th.body, regInit: t.regInit, shared, domain: (l) => [...domain.get(l)!] }, MAX_RUNS),
    );
    let grew = false;
    let stores = 0;
    for (const thr of runs) {
      let most = 0;
      for (const r of thr) {
        const ws = r.events.filter((e) => e.kind === 'W' && !(e.flags & E.LOCK_EVENTS));
        most = Math.max(most, ws.length);
        for (const w of ws) {
          const d = domain.get(w.loc!)!;
          if (!d.has(w.val)) {
            d.add(w.val);
            grew = true;
            if (d.size > MAX_VALUES) throw new LitmusInputError(`more than ${MAX_VALUES} values for ${w.loc}: too large for a litmus test`);
          }
        }
      }
      stores += most;
    }
    if (!grew || round > stores) return runs;
  }
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

function* permutations<T>(xs: T[]): Generator<T[]> {
  if (xs.length <= 1) {
    yield xs;
    return;
  }
  for (let i = 0; i < xs.length; i++) {
    const rest = [...xs.slice(0, i), ...xs.slice(i + 1)];
    for (const p of permutations(rest)) yield [xs[i]!, ...p];
  }
}

function* product<T>(choices: T[][]): Generator<T[]> {
  const idx = choices.map(() => 0);
  if (choices.some((c) => c.length === 0)) return;
  for (;;) {
    yield idx.map((k, i) => choices[i]![k]!);
    let d = choices.length - 1;
    while (d >= 0 && idx[d] === choices[d]!.length - 1) idx[d--] = 0;
    if (d < 0) return;
    idx[d]!++;
  }
}

/** Every rf and co of one combination of runs. */
export function* executions(c: Combination): Generator<Exec> {
  const { ev, po } = c.base;
  const n = ev.length;
  const locs = [...new Set(ev.map((e) => e.loc).filter((l): l is string => l !== null))];
  const lockLocs = new Set(ev.filter((e) => e.flags & E.LOCK_EVENTS).map((e) => e.loc!));
  // co choices, one list of orders (event index sequences, initial write first) per location
  const coChoices: number[][][] = [];
  for (const l of locs) {
    const iw = ev.findIndex((e) => e.tid < 0 && e.loc === l);
    if (lockLocs.has(l)) {
      const lkws = ev.map((_, i) => i).filter((i) => ev[i]!.loc === l && at(ev, i, E.LKW));
      const open = lkws.filter((i) => unlockOf(ev, po, i) < 0);
      const closed = lkws.filter((i) => unlockOf(ev, po, i) >= 0);
      const orders: number[][] = [];
      for (const p of permutations(closed)) {
        const seq = [iw];
        for (const k of [...p, ...open]) {
          seq.push(k);
          const u = unlockOf(ev, po, k);
          if (u >= 0) seq.push(u);
        }
        orders.push(seq);
      }
      coChoices.push(orders);
    } else {
      const ws = ev.map((_, i) => i).filter((i) => ev[i]!.kind === 'W' && ev[i]!.loc === l && ev[i]!.tid >= 0);
      coChoices.push([...permutations(ws)].map((p) => [iw, ...p]));
    }
  }
  // rf choices for reads that do not depend on co
  const reads: number[] = [];
  const rfChoices: number[][] = [];
  for (let r = 0; r < n; r++) {
    const e = ev[r]!;
    if (e.kind !== 'R' || at(ev, r, E.LKR)) continue;
    let srcs: number[];
    if (at(ev, r, E.LF)) {
      const own = enclosingLock(ev, po, r);
      srcs = own >= 0 ? [own] : ev.map((_, i) => i).filter((i) => at(ev, i, E.LKW) && ev[i]!.loc === e.loc && ev[i]!.tid !== e.tid);
    } else if (at(ev, r, E.RU)) {
      let last = -1;
      for (let i = 0; i < r; i++) if (po.has(i, r) && at(ev, i, E.UL) && ev[i]!.loc === e.loc) last = i;
      srcs = ev.map((_, i) => i).filter((i) => ev[i]!.loc === e.loc && ((at(ev, i, E.UL) && ev[i]!.tid !== e.tid) || at(ev, i, E.IW)));
      if (last >= 0) srcs.push(last);
    } else {
      srcs = ev.map((_, i) => i).filter((i) => ev[i]!.kind === 'W' && ev[i]!.loc === e.loc && ev[i]!.val === e.val && !at(ev, i, E.LOCK_EVENTS));
    }
    reads.push(r);
    rfChoices.push(srcs);
  }
  const lkrs = ev.map((_, i) => i).filter((i) => at(ev, i, E.LKR));
  for (const cos of product(coChoices)) {
    const co = new Rel(n);
    const pred = new Map<number, number>();
    for (const seq of cos) {
      for (let i = 0; i < seq.length; i++) {
        for (let j = i + 1; j < seq.length; j++) co.add(seq[i]!, seq[j]!);
        if (i > 0) pred.set(seq[i]!, seq[i - 1]!);
      }
    }
    const lockRf: [number, number][] = [];
    for (const r of lkrs) lockRf.push([pred.get(ev[r]!.rmwWith! + c.base.base[ev[r]!.tid]!)!, r]);
    for (const srcs of product(rfChoices)) {
      const rf = Rel.from(n, lockRf);
      srcs.forEach((w, k) => rf.add(w, reads[k]!));
      yield { ...c.base, rf, co };
    }
  }
}
