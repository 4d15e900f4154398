// LK-RA: an operational release/acquire/relaxed memory model for the explorer and the litmus
// runner (the promise-free fragment of Kang et al.'s promising semantics, POPL'17; Lahav et
// al.'s timestamp machine for RA, POPL'16), with the kernel's primitives mapped as the Linux
// kernel memory model orders them (Documentation/atomic_t.txt, tools/memory-model/linux-kernel.def).
//
// Per location: its messages (stores) in modification order, which is execution order (no
// store is ever placed before an older one). Per thread: a view, for each location the oldest
// message it may still read, plus one happens-before clock per thread. A load may read any
// message not older than its view (at most H back); acquire joins the view of the message read;
// release publishes the thread's view in the message. An RMW reads the newest message and its
// message carries the view of the message it read, so release sequences run through RMW
// chains. smp_mb() (and the mb around a fully ordered op) is an acq-rel RMW on one global view.
//
// Plain accesses are race-checked with the clocks in the same views: a plain access races with
// any access of another thread (atomic or plain, at least one of them a write) that does not
// happen before it. Sizes are tiny (a few locations and threads): a view is one Int32Array.
import type { MemoryOrder } from '../../locks/contract.js';
import { canonicalText } from './canonical.js';
import type { Access, Loc, Msg, Race, ReadRecord, ThreadMem } from './records.js';

export type { Access, Msg, Race, ReadRecord } from './records.js';
import { explainRace } from './explain-race.js';

/** Messages a load may look back over, per location (loom keeps 7, Miri 128). */
export const HISTORY = 8;

/**
 * Chooses which of n candidate messages a load reads (0 = the newest). `skip` has bit k set for
 * a candidate another one subsumes (see `subsumed`): an exhaustive search need not read it.
 */
export type Pick = (n: number, skip: number) => number;
export const NEWEST: Pick = () => 0;

export const isAcquire = (o: MemoryOrder): boolean => o === 'acquire' || o === 'acq_rel' || o === 'seq_cst';
export const isRelease = (o: MemoryOrder): boolean => o === 'release' || o === 'acq_rel' || o === 'seq_cst';

/** Whether a message holds `val` (and, for a 64-bit value, `hi` in its high word). */
function matches(m: Msg, val: number, hi: number | undefined): boolean {
  return m.val === (val | 0) && (hi === undefined || (m.hi ?? 0) === hi);
}

/** Whether view `a` is nowhere ahead of `b` (a missing view is all zeros). */
function within(a: Int32Array | null, b: Int32Array | null): boolean {
  if (!a) return true;
  for (let i = 0; i < a.length; i++) if (a[i]! > (b ? b[i]! : 0)) return false;
  return true;
}

/**
 * The candidates (newest first) a load need not read, as a bit mask: those an older candidate
 * subsumes, holding the same value with a view nowhere ahead. Reading the older one gives the
 * thread the same value and views nowhere ahead of what reading this one would: every view after
 * (the thread's, its messages', the global one) stays nowhere ahead, so each later load has at
 * least the same candidates, and a race check at least the same races. Whatever can happen after
 * reading this one, the same loads reading the same messages can after reading the older one,
 * unless a race stops that run first (a failure all the same). `from`: candidates before it are
 * not loads (a cmpxchg's newest message when it matches).
 */
export function subsumed(cands: readonly Msg[], from = 0): number {
  let skip = 0;
  for (let k = from; k < cands.length - 1; k++) {
    const m = cands[k]!;
    for (let j = k + 1; j < cands.length; j++) {
      const o = cands[j]!;
      if (o.val === m.val && (o.hi ?? 0) === (m.hi ?? 0) && within(o.view, m.view)) {
        skip |= 1 << k;
        break;
      }
    }
  }
  return skip;
}

function join(into: Int32Array, from: Int32Array): void {
  for (let i = 0; i < into.length; i++) if (from[i]! > into[i]!) into[i] = from[i]!;
}

/** Where an event comes from, for messages and race reports. */
export interface EventInfo {
  step: number;
  what: string;
}

export class WeakMemory {
  readonly locs: Loc[];
  private readonly threads: ThreadMem[];
  private readonly sc: Int32Array;
  readonly L: number;
  /** The first race any access made (a run stops at it). */
  race: Race | null = null;
  /** The locations a plain access reached, a bit each (exhaustive.ts keys their race records). */
  plainLocs = 0;
  /** Each thread's locations a load or cmpxchg (which may read an older message) reached, a bit each (learned.ts). */
  readonly loaded: number[];

  constructor(
    init: readonly number[],
    threads: number,
    readonly history = HISTORY,
  ) {
    this.L = init.length;
    const n = this.L + threads;
    this.locs = init.map((val) => ({
      msgs: [{ val: val | 0, view: null, tid: -1, clock: 0, step: -1, what: 'init', order: 'init' }],
      lastW: new Array<Access | null>(threads).fill(null),
      lastR: new Array<Access | null>(threads).fill(null),
      lastPW: new Array<Access | null>(threads).fill(null),
      lastPR: new Array<Access | null>(threads).fill(null),
    }));
    this.loaded = new Array<number>(threads).fill(0);
    this.threads = Array.from({ length: threads }, () => ({
      cur: new Int32Array(n),
      acq: new Int32Array(n),
      relFence: null,
      reads: [],
    }));
    this.sc = new Int32Array(n);
  }

  /** The newest value of a location (the last message in modification order). */
  newest(loc: number): number {
    const msgs = this.locs[loc]!.msgs;
    return msgs[msgs.length - 1]!.val;
  }

  /** How many messages a load of `loc` by `tid` may read (1: only the newest). */
  candidates(tid: number, loc: number): number {
    const len = this.locs[loc]!.msgs.length;
    return len - Math.max(this.threads[tid]!.cur[loc]!, len - this.history);
  }

  /** A failed or successful cmpxchg may read the newest message, or an older visible one whose value differs from `expected`. */
  casCandidates(tid: number, loc: number, expected: number, expectedHi?: number): Msg[] {
    const msgs = this.locs[loc]!.msgs;
    const out = [msgs[msgs.length - 1]!];
    const low = Math.max(this.threads[tid]!.cur[loc]!, msgs.length - this.history);
    for (let p = msgs.length - 2; p >= low; p--) if (!matches(msgs[p]!, expected, expectedHi)) out.push(msgs[p]!);
    return out;
  }

  /** A thread's own clock (bumped by each of its events). */
  clock(tid: number): number {
    return this.threads[tid]!.cur[this.L + tid]!;
  }

  /** Makes `tid` see everything every other thread has seen: the end-of-run checker's start. */
  joinAll(tid: number): void {
    const me = this.threads[tid]!;
    for (const t of this.threads) if (t !== me) join(me.cur, t.cur);
    join(me.acq, me.cur);
  }

  reads(tid: number): readonly ReadRecord[] {
    return this.threads[tid]!.reads;
  }

  /** The memory's state as state caching keys it (canonical.ts says what it leaves out, and why). */
  canonical(valued: number, live: readonly number[], plainKeyed: number, unloaded: number): string {
    return canonicalText(this, this.threads, this.sc, valued, live, plainKeyed, unloaded);
  }

  /** The newest message of `loc` is complete: frozen, as access and read records are, for checkpoints (checkpoint.ts). */
  seal(loc: number): void {
    const msgs = this.locs[loc]!.msgs;
    Object.freeze(msgs[msgs.length - 1]);
  }

  /** The arrays only ever pushed to (a checkpoint keeps their length): messages, reads. */
  growing(): unknown[][] {
    return [...this.locs.map((l) => l.msgs), ...this.threads.map((t) => t.reads)];
  }

  // ---- events -------------------------------------------------------------------------

  /**
   * A load: `pick(n)` chooses which of the n messages it may read (0 = the newest), after the
   * leading mb of a fully ordered load. Returns the message read.
   */
  load(tid: number, loc: number, order: MemoryOrder, pick: Pick, info: EventInfo): Msg {
    this.loaded[tid]! |= 1 << loc;
    if (order === 'seq_cst') this.mb(tid);
    const t = this.threads[tid]!;
    this.tick(t, tid);
    const msgs = this.locs[loc]!.msgs;
    const n = this.candidates(tid, loc);
    const k = n > 1 ? pick(n, subsumed(msgs.slice(msgs.length - n).reverse())) : pick(n, 0);
    if (k < 0 || k >= n) throw new RangeError(`read choice ${k}, only ${n} candidate(s)`);
    const m = msgs[msgs.length - 1 - k]!;
    this.readMsg(t, tid, loc, m, msgs.length - 1 - k, order, info);
    if (order === 'seq_cst') this.mb(tid);
    return m;
  }

  /** A store. Returns the message. */
  store(tid: number, loc: number, val: number, order: MemoryOrder, info: EventInfo): Msg {
    if (order === 'seq_cst') this.mb(tid);
    const t = this.threads[tid]!;
    this.tick(t, tid);
    const m = this.append(t, tid, loc, val, order, null, info);
    if (order === 'seq_cst') this.mb(tid);
    return m;
  }

  /**
   * A read-modify-write of the newest message: `f(old)` is the new value, or null when the op
   * does not write (a failed conditional op, which is then a load with `failOrder`).
   * Fully ordered ('seq_cst') is mb; acq-rel RMW; mb, as atomic_t.txt says.
   */
  rmw(
    tid: number,
    loc: number,
    f: (old: number, msg: Msg) => number | null,
    order: MemoryOrder,
    failOrder: MemoryOrder,
    info: EventInfo,
  ): { old: Msg; wrote: boolean; written: Msg | null } {
    const msgs = this.locs[loc]!.msgs;
    const m = msgs[msgs.length - 1]!;
    const v = f(m.val, m);
    if (v === null) return { old: this.load(tid, loc, failOrder, NEWEST, info), wrote: false, written: null };
    if (order === 'seq_cst') this.mb(tid);
    const t = this.threads[tid]!;
    this.tick(t, tid);
    this.readMsg(t, tid, loc, m, msgs.length - 1, order, info);
    const written = this.append(t, tid, loc, v | 0, order, m.view, info);
    if (order === 'seq_cst') this.mb(tid);
    return { old: m, wrote: true, written };
  }

  /**
   * compareExchange: `pick(n)` chooses among casCandidates() (0 = the newest); the newest with
   * a match succeeds, anything else is a failed cmpxchg, a load with `failOrder`. The kernel's
   * cmpxchg is ('seq_cst', 'relaxed'): its mb only when it succeeds; JS's is SC either way.
   */
  cas(
    tid: number,
    loc: number,
    expected: number,
    replacement: number,
    order: MemoryOrder,
    failOrder: MemoryOrder,
    pick: Pick,
    info: EventInfo,
    /** A 64-bit cmpxchg: the high words of `expected` and `replacement`. */
    hi?: { expected: number; replacement: number },
  ): Msg {
    this.loaded[tid]! |= 1 << loc;
    if (failOrder === 'seq_cst') this.mb(tid); // ordered either way: the mb comes before the read (a second one is a no-op)
    const cands = this.casCandidates(tid, loc, expected, hi?.expected);
    const matched = matches(cands[0]!, expected, hi?.expected); // then the newest is no load
    const k = pick(cands.length, cands.length > 1 ? subsumed(cands, matched ? 1 : 0) : 0);
    if (k < 0 || k >= cands.length) throw new RangeError(`read choice ${k}, only ${cands.length} candidate(s)`);
    if (k === 0) {
      const r = this.rmw(tid, loc, (_, m) => (matches(m, expected, hi?.expected) ? replacement : null), order, failOrder, info);
      if (r.written && hi) r.written.hi = hi.replacement;
      return r.old;
    }
    // a failed cmpxchg that read an older message: its position among all messages
    const msgs = this.locs[loc]!.msgs;
    const back = msgs.length - 1 - msgs.lastIndexOf(cands[k]!);
    return this.load(tid, loc, failOrder, () => back, info);
  }

  /** smp_mb ('seq_cst'), smp_rmb ('acquire'), smp_wmb ('release'), or both of the last ('acq_rel'). */
  fence(tid: number, order: MemoryOrder): void {
    const t = this.threads[tid]!;
    this.tick(t, tid);
    if (order === 'seq_cst') return this.mb(tid);
    if (isAcquire(order)) join(t.cur, t.acq);
    if (isRelease(order)) t.relFence = t.cur.slice();
  }

  /**
   * A plain load. Race-free, it must read the newest message (whatever happens before it is
   * in its view); a racy one is reported in `race` and reads the newest all the same.
   */
  plainLoad(tid: number, loc: number, info: EventInfo): number {
    const t = this.threads[tid]!;
    this.tick(t, tid);
    this.plainLocs |= 1 << loc;
    const l = this.locs[loc]!;
    const a = this.access(tid, info, true, false);
    this.race ??= this.check(t, tid, loc, a, l.lastW);
    l.lastR[tid] = l.lastPR[tid] = a;
    const msgs = l.msgs;
    t.cur[loc] = Math.max(t.cur[loc]!, msgs.length - 1);
    t.acq[loc] = Math.max(t.acq[loc]!, msgs.length - 1);
    return msgs[msgs.length - 1]!.val;
  }

  /** A plain access seen without its value (a C lock's, through instrumentation): race-checked and recorded. */
  plainTouch(tid: number, loc: number, write: boolean, info: EventInfo): void {
    const t = this.threads[tid]!;
    this.tick(t, tid);
    this.plainLocs |= 1 << loc;
    const l = this.locs[loc]!;
    const a = this.access(tid, info, true, write);
    this.race ??= this.check(t, tid, loc, a, l.lastW) ?? (write ? this.check(t, tid, loc, a, l.lastR) : null);
    if (write) l.lastW[tid] = l.lastPW[tid] = a;
    else l.lastR[tid] = l.lastPR[tid] = a;
  }

  /** A plain store (releases nothing); a race is reported in `race`. */
  plainStore(tid: number, loc: number, val: number, info: EventInfo): void {
    const t = this.threads[tid]!;
    this.tick(t, tid);
    this.plainLocs |= 1 << loc;
    const l = this.locs[loc]!;
    const a = this.access(tid, info, true, true);
    this.race ??= this.check(t, tid, loc, a, l.lastW) ?? this.check(t, tid, loc, a, l.lastR);
    this.appendMsg(t, tid, loc, Object.freeze({ val: val | 0, view: null, tid, clock: a.clock, step: info.step, what: info.what, order: 'plain' }));
    l.lastPW[tid] = a;
  }

  // ---- internals ----------------------------------------------------------------------

  private tick(t: ThreadMem, tid: number): void {
    const c = ++t.cur[this.L + tid]!;
    if (t.acq[this.L + tid]! < c) t.acq[this.L + tid] = c;
  }

  private mb(tid: number): void {
    const t = this.threads[tid]!;
    join(t.cur, t.acq);
    join(t.cur, this.sc);
    this.sc.set(t.cur);
    t.relFence = t.cur.slice();
    join(t.acq, t.cur);
  }

  private access(tid: number, info: EventInfo, plain: boolean, write: boolean): Access {
    return Object.freeze({ tid, clock: this.threads[tid]!.cur[this.L + tid]!, step: info.step, what: info.what, plain, write });
  }

  /** The first access in `last` (one per thread) by another thread that does not happen before `t`'s present. */
  private check(t: ThreadMem, tid: number, loc: number, a: Access, last: (Access | null)[]): Race | null {
    for (let u = 0; u < last.length; u++) {
      const o = last[u];
      if (u === tid || !o || o.clock <= t.cur[this.L + u]!) continue;
      return { loc, access: a, other: o, why: explainRace(this.threads[tid]!.reads, this.L, tid, o) };
    }
    return null;
  }

  private readMsg(t: ThreadMem, tid: number, loc: number, m: Msg, pos: number, order: MemoryOrder, info: EventInfo): void {
    if (pos > t.cur[loc]!) t.cur[loc] = pos;
    if (pos > t.acq[loc]!) t.acq[loc] = pos;
    if (m.view) {
      if (isAcquire(order)) join(t.cur, m.view);
      join(t.acq, m.view);
    }
    t.reads.push(Object.freeze({ loc, msg: m, order, step: info.step, what: info.what }));
    const l = this.locs[loc]!;
    const a = this.access(tid, info, false, false);
    this.race ??= this.check(t, tid, loc, a, l.lastPW);
    l.lastR[tid] = a;
  }

  private append(t: ThreadMem, tid: number, loc: number, val: number, order: MemoryOrder, carried: Int32Array | null, info: EventInfo): Msg {
    const clock = t.cur[this.L + tid]!;
    const m: Msg = { val, view: null, tid, clock, step: info.step, what: info.what, order };
    const l = this.locs[loc]!;
    const a = this.access(tid, info, false, true);
    this.race ??= this.check(t, tid, loc, a, l.lastPW) ?? this.check(t, tid, loc, a, l.lastPR);
    this.appendMsg(t, tid, loc, m);
    let view = isRelease(order) ? t.cur.slice() : t.relFence ? t.relFence.slice() : null;
    if (carried) {
      if (view) join(view, carried);
      else view = carried.slice();
    }
    m.view = view;
    return m;
  }

  private appendMsg(t: ThreadMem, tid: number, loc: number, m: Msg): void {
    const l = this.locs[loc]!;
    l.msgs.push(m);
    t.cur[loc] = t.acq[loc] = l.msgs.length - 1;
    l.lastW[tid] = Object.freeze({ tid, clock: m.clock, step: m.step, what: m.what, plain: m.order === 'plain', write: true });
  }
}
