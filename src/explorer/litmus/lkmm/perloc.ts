// The rf and co choices of one location, kept only when coherent there (po-loc | rf | co | fr
// acyclic) and atomic (no write between an RMW's read and write): both axioms concern one
// location at a time, so checking them per location prunes the product early.
import * as E from './events.js';
import type { Ev } from './events.js';
import type { Rel } from './rel.js';

export interface LocChoice {
  /** The co order, initial write first (for a lock: each LKW followed by its UL). */
  co: number[];
  rf: [number, number][];
}

export function* product<T>(choices: T[][]): Generator<T[]> {
  if (choices.some((c) => c.length === 0)) return;
  const idx = choices.map(() => 0);
  for (;;) {
    yield idx.map((k, i) => choices[i]![k]!);
    let d = choices.length - 1;
    while (d >= 0 && idx[d] === choices[d]!.length - 1) idx[d--] = 0;
    if (d < 0) return;
    idx[d]!++;
  }
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

const at = (ev: Ev[], i: number, f: number) => (ev[i]!.flags & f) !== 0;

export function locationChoices(
  ev: Ev[],
  po: Rel,
  rmw: Rel,
  loc: string,
  unlockOf: (lkw: number) => number,
  enclosingLock: (r: number) => number,
): LocChoice[] {
  const here = ev.map((_, i) => i).filter((i) => ev[i]!.loc === loc && ev[i]!.kind !== 'F');
  const iw = here.find((i) => ev[i]!.tid < 0)!;
  const isLock = here.some((i) => at(ev, i, E.LOCK_EVENTS));
  const orders: number[][] = [];
  if (isLock) {
    // lock.cat: LKWs in any order, the one never unlocked last; each UL right after its LKW
    const lkws = here.filter((i) => at(ev, i, E.LKW));
    const open = lkws.filter((i) => unlockOf(i) < 0);
    for (const p of permutations(lkws.filter((i) => unlockOf(i) >= 0))) {
      const seq = [iw];
      for (const k of [...p, ...open]) {
        seq.push(k);
        if (unlockOf(k) >= 0) seq.push(unlockOf(k));
      }
      orders.push(seq);
    }
  } else {
    for (const p of permutations(here.filter((i) => ev[i]!.kind === 'W' && ev[i]!.tid >= 0))) orders.push([iw, ...p]);
  }
  const reads = here.filter((i) => ev[i]!.kind === 'R' && !at(ev, i, E.LKR));
  const sources = reads.map((r) => sourcesOf(ev, po, here, r, enclosingLock));
  const lkrs = here.filter((i) => at(ev, i, E.LKR));
  const out: LocChoice[] = [];
  for (const co of orders) {
    // an LKR reads from its LKW's co-predecessor (an initial write or a UL)
    const lockRf = lkrs.map((r): [number, number] => {
      const w = rmwPartner(rmw, r, ev.length);
      return [co[co.indexOf(w) - 1]!, r];
    });
    for (const srcs of product(sources)) {
      const rf: [number, number][] = [...lockRf, ...srcs.map((w, k): [number, number] => [w, reads[k]!])];
      if (coherent(ev, po, rmw, here, co, rf)) out.push({ co, rf });
    }
  }
  return out;
}

function rmwPartner(rmw: Rel, r: number, n: number): number {
  for (let j = 0; j < n; j++) if (rmw.has(r, j)) return j;
  return -1;
}

/** The writes read r may read from: by value, or as lock.cat says for LF and RU. */
function sourcesOf(ev: Ev[], po: Rel, here: number[], r: number, enclosingLock: (r: number) => number): number[] {
  const e = ev[r]!;
  if (at(ev, r, E.LF)) {
    const own = enclosingLock(r);
    return own >= 0 ? [own] : here.filter((i) => at(ev, i, E.LKW) && ev[i]!.tid !== e.tid);
  }
  if (at(ev, r, E.RU)) {
    let last = -1;
    for (const i of here) if (po.has(i, r) && at(ev, i, E.UL)) last = i;
    const out = here.filter((i) => (at(ev, i, E.UL) && ev[i]!.tid !== e.tid) || at(ev, i, E.IW));
    return last >= 0 ? [...out, last] : out;
  }
  return here.filter((i) => ev[i]!.kind === 'W' && ev[i]!.val === e.val && !at(ev, i, E.LOCK_EVENTS));
}

/** Coherence and atomicity on one location's events. */
function coherent(ev: Ev[], po: Rel, rmw: Rel, here: number[], co: number[], rf: [number, number][]): boolean {
  const k = here.length;
  const ix = new Map(here.map((g, i) => [g, i]));
  const m = new Uint8Array(k * k);
  const add = (a: number, b: number) => {
    m[ix.get(a)! * k + ix.get(b)!] = 1;
  };
  for (const a of here) for (const b of here) if (po.has(a, b)) add(a, b);
  const pos = new Map(co.map((w, i) => [w, i]));
  for (let i = 0; i < co.length; i++) for (let j = i + 1; j < co.length; j++) add(co[i]!, co[j]!);
  const readFrom = new Map<number, number>();
  for (const [w, r] of rf) {
    add(w, r);
    readFrom.set(r, w);
    // fr: r before every write co-after w
    for (let j = pos.get(w)! + 1; j < co.length; j++) add(r, co[j]!);
  }
  for (let x = 0; x < k; x++) for (let i = 0; i < k; i++) if (m[i * k + x]) for (let j = 0; j < k; j++) if (m[x * k + j]) m[i * k + j] = 1;
  for (let i = 0; i < k; i++) if (m[i * k + i]) return false;
  // atomic: for R ->rmw W, no write from another thread co-between R's source and W
  for (const [r, from] of readFrom) {
    const w = rmwPartner(rmw, r, ev.length);
    if (w < 0) continue;
    const src = pos.get(from)!;
    const wp = pos.get(w);
    if (wp === undefined) continue;
    for (let j = src + 1; j < wp; j++) if (ev[co[j]!]!.tid !== ev[r]!.tid) return false;
  }
  return true;
}
