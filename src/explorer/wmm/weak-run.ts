// The explorer's weak-memory mode (`explore --memory weak`): what sim.ts's Run delegates to
// when it performs an atomic op. The lock words and the payload words live in a WeakMemory;
// the Int32Array the lock sees keeps the newest value of each word (for traces and waits).
//
// Payload: in weak mode each section also touches PAYLOAD_WORDS plain words when its lock call
// returns: a read section plain-loads them, a write section plain-stores them. Those accesses
// are not steps (a happens-before race check needs no interleaving of them); a race between
// them is the `data-race` rule: the lock failed to order one section after another.
import { apply64, pairValue, type Rmw64 } from '../../locks/atomics64.js';
import type { MemoryOrder } from '../../locks/contract.js';
import { WeakMemory, type EventInfo, type Msg, type Race } from './memory.js';

export const PAYLOAD_WORDS = 2;

/**
 * Picks which of n candidate messages a load reads (0 = the newest). Called only when n > 1.
 * `skip`: the candidates another subsumes (WeakMemory's `subsumed`), which exhaustive search skips.
 */
export type ReadChooser = (n: number, step: number, skip: number) => number;

/** The message a step's load read, for the trace. */
export interface ReadFrom {
  /** Step of the store read (-1: the initial value), its thread (-1: init), its ordering. */
  step: number;
  thread: number;
  order: string;
  /** The candidate read (0 = newest) of n. */
  k: number;
  n: number;
}

export class WeakRun {
  readonly memory: WeakMemory;
  /** choices[step] = k for the steps whose load read an older message (k > 0). */
  readonly choices: number[] = [];
  lastRead: ReadFrom | null = null;
  /** Write sections so far: the payload generation. */
  private generation = 0;
  /** Lock words that hold the low half of a 64-bit value (its high half is the next word). */
  private readonly wide = new Set<number>();
  /** Lock words whose race-check records the state key keeps, a bit each (WeakMemory.canonical): all, but as learned.ts sets it. */
  plainKeyed = -1;
  /** The lock words each thread may load or cmpxchg, a bit each (WeakMemory.canonical): all, but as learned.ts sets it. */
  mayLoad: readonly number[] | null = null;

  constructor(
    private readonly mem: Int32Array,
    private readonly base: number,
    private readonly words: number,
    threads: number,
    private readonly chooseRead: ReadChooser,
  ) {
    const init: number[] = [];
    for (let i = 0; i < words; i++) init.push(mem[base + i]!);
    for (let i = 0; i < PAYLOAD_WORDS; i++) init.push(0);
    this.memory = new WeakMemory(init, threads + 1); // + the end-of-run checker
    // a 64-bit load of a pair nobody wrote yet reads both initial words
    this.memory.locs.forEach((l, i) => (l.msgs[0]!.hi = init[i + 1] ?? 0));
    for (let i = 0; i < init.length; i++) this.memory.seal(i);
  }

  /**
   * One atomic op (or fence, or plain access) of thread `tid` on lock word `loc`. `fresh`: the
   * thread spins on this word, so it reads the newest value (see sim.ts). Returns the result
   * and whether the read had older values to choose from (it may be stale), and whether it
   * read one older than the first an exhaustive search reads (`older`: the candidates before it
   * are read in sibling runs).
   */
  perform(
    tid: number,
    name: string,
    loc: number,
    a: number | bigint,
    b: number | bigint,
    order: MemoryOrder,
    failOrder: MemoryOrder,
    fresh: boolean,
    step: number,
    what: string,
  ): { result: number | bigint; stale: boolean; older?: boolean } {
    if (typeof a === 'bigint') {
      const r = this.perform64(tid, name, loc, a, b as bigint, order, failOrder, fresh, step, what);
      this.wide.add(loc);
      this.memory.seal(loc);
      this.mem[this.base + loc] = this.memory.newest(loc);
      this.mem[this.base + loc + 1] = this.newestWord(loc + 1);
      return r;
    }
    b = b as number;
    const m = this.memory;
    const info: EventInfo = { step, what };
    this.lastRead = null;
    let result: number;
    let stale = false;
    let older = false;
    let n = 0;
    let k = 0;
    const pick = (count: number, skip: number): number => {
      n = count;
      if (count <= 1 || fresh) return 0;
      stale = true;
      k = this.chooseRead(count, step, skip);
      if (k > 0) this.choices[step] = k;
      older = (skip & ((1 << k) - 1)) !== (1 << k) - 1; // a candidate newer than k is not skipped
      return k;
    };
    switch (name) {
      case 'fence':
        m.fence(tid, order);
        return { result: 0, stale: false };
      case 'relax': // cpu_relax(): a scheduling point, no memory access
        return { result: 0, stale: false };
      case 'plainLoad':
        result = m.plainLoad(tid, loc, info);
        break;
      case 'plainStore':
        m.plainStore(tid, loc, a, info);
        result = a;
        break;
      case 'load':
        result = this.readFrom(m.load(tid, loc, order, pick, info), k, n);
        break;
      case 'store':
        m.store(tid, loc, a, order, info);
        result = a;
        break;
      case 'compareExchange':
        result = this.readFrom(m.cas(tid, loc, a, b, order, failOrder, pick, info), k, n);
        break;
      default: {
        const f = rmwFunction(name, a);
        n = 1;
        result = this.readFrom(m.rmw(tid, loc, f, order, order, info).old, 0, n);
      }
    }
    m.seal(loc);
    this.mem[this.base + loc] = m.newest(loc);
    return { result, stale, older };
  }

  /**
   * A 64-bit op (atomic64_t): one location, the pair's low word, whose messages carry the high
   * word too, so a load reads both halves of one store.
   */
  private perform64(
    tid: number,
    name: string,
    loc: number,
    a: bigint,
    b: bigint,
    order: MemoryOrder,
    failOrder: MemoryOrder,
    fresh: boolean,
    step: number,
    what: string,
  ): { result: bigint; stale: boolean } {
    const m = this.memory;
    const info: EventInfo = { step, what };
    let stale = false;
    let n = 1;
    let k = 0;
    const pick = (count: number, skip: number): number => {
      n = count;
      if (count <= 1 || fresh) return 0;
      stale = true;
      k = this.chooseRead(count, step, skip);
      if (k > 0) this.choices[step] = k;
      return k;
    };
    const lo = (v: bigint) => Number(BigInt.asIntN(32, v));
    const hi = (v: bigint) => Number(BigInt.asIntN(32, v >> 32n));
    const value = (msg: Msg) => pairValue(msg.val, msg.hi ?? 0);
    let read: Msg;
    switch (name) {
      case 'load64':
        read = m.load(tid, loc, order, pick, info);
        break;
      case 'store64': {
        const v = BigInt.asIntN(64, a);
        m.store(tid, loc, lo(v), order, info).hi = hi(v);
        this.lastRead = null;
        return { result: v, stale: false };
      }
      case 'compareExchange64':
        read = m.cas(tid, loc, lo(a), lo(b), order, failOrder, pick, info, { expected: hi(a), replacement: hi(b) });
        break;
      default: {
        let next = 0n;
        const f = (_: number, old: Msg) => lo((next = apply64(name as Rmw64, value(old), a)));
        const r = m.rmw(tid, loc, f, order, order, info);
        r.written!.hi = hi(next);
        read = r.old;
      }
    }
    this.readFrom(read, k, n);
    return { result: value(read), stale };
  }

  /** The newest value of lock word `i` (the high half of a 64-bit value's newest message). */
  private newestWord(i: number): number {
    if (!this.wide.has(i - 1)) return this.memory.newest(i);
    const msgs = this.memory.locs[i - 1]!.msgs;
    return msgs[msgs.length - 1]!.hi ?? 0;
  }

  /** The payload accesses of a section whose lock call just returned. */
  section(tid: number, write: boolean, step: number, call: string): void {
    const g = write ? ++this.generation : 0;
    for (let i = 0; i < PAYLOAD_WORDS; i++) {
      const info = { step, what: `${call} section: payload[${i}]` };
      if (write) this.memory.plainStore(tid, this.words + i, g, info);
      else this.memory.plainLoad(tid, this.words + i, info);
    }
  }

  /**
   * Stores the lock made outside the atomics (a C lock's `zsl->cnt = v`, seen as a word whose
   * value differs from the model's newest) become plain stores, race-checked. A plain store of
   * the value already there, and plain loads, are not seen this way.
   */
  plainStores(tid: number, step: number, call: string): void {
    for (let i = 0; i < this.words; i++) {
      const v = this.mem[this.base + i]!;
      if (v !== this.newestWord(i)) this.memory.plainStore(tid, i, v, { step, what: `${call} plain store[${i}]` });
    }
  }

  /** A plain access reported without its value (see LockAtomics.plainAccess). */
  plainTouch(tid: number, loc: number, write: boolean, step: number, what: string): void {
    this.memory.plainTouch(tid, loc, write, { step, what });
  }

  /** The end-of-run checker starts from what every thread has seen. */
  checkerStarts(tid: number): void {
    this.memory.joinAll(tid);
  }

  /**
   * What of weak memory decides the run's future, for state caching (state-key.ts), with `live`
   * the threads not done: the memory, canonical (WeakMemory.canonical, the payload's values left out: a section's plain
   * load reads them for the race check only), and which words hold 64-bit values. Left out:
   * the read choices and the last read (they number the path, and only report it), and the
   * payload generation (a value written, never compared).
   */
  canonical(live: readonly number[]): string {
    let loading = this.mayLoad ? 0 : -1;
    for (const u of live) loading |= this.mayLoad?.[u] ?? -1;
    return `${this.memory.canonical(this.words, live, this.plainKeyed, ~loading)}|${[...this.wide].join(',')}`;
  }

  /** The data race found so far, in words, or null. */
  raceMessage(): string | null {
    const r = this.memory.race;
    return r ? describeRace(r, this.words) : null;
  }

  private readFrom(msg: Msg, k: number, n: number): number {
    this.lastRead = { step: msg.step, thread: msg.tid, order: msg.order, k, n };
    return msg.val;
  }
}

function describeRace(r: Race, words: number): string {
  const kind = (x: { plain: boolean; write: boolean }) => `${x.plain ? 'plain' : 'atomic'} ${x.write ? 'store' : 'load'}`;
  const where = r.loc >= words ? `payload word ${r.loc - words}` : `lock word ${r.loc}`;
  const a = r.access;
  const o = r.other;
  return (
    `${where}: T${a.tid}'s ${kind(a)} (${a.what}, #${a.step}) races with T${o.tid}'s ${kind(o)} (${o.what}, #${o.step}); ` +
    `nothing orders them: ${r.why}`
  );
}

function rmwFunction(name: string, a: number): (old: number) => number {
  switch (name) {
    case 'add':
      return (o) => (o + a) | 0;
    case 'sub':
      return (o) => (o - a) | 0;
    case 'and':
      return (o) => o & a;
    case 'or':
      return (o) => o | a;
    case 'xor':
      return (o) => o ^ a;
    case 'exchange':
      return () => a | 0;
    default:
      throw new Error(`unknown atomic op ${name}`);
  }
}
