// The atomics the explorer gives a lock (sim.ts): every op goes to the engine, which answers
// it from the thread's memo, performs it, or preempts; and the ops as performed on the words.
import { RAW_ATOMICS } from '../invariants/global-atomics.js';
import { RAW_ATOMICS64, type Rmw64 } from '../locks/atomics64.js';
import type { LockAtomics, LoopEdge, MemoryOrder, ResultUse } from '../locks/contract.js';
import { BASE, type Arg, type Result } from './sim-thread.js';

/** What the atomics call in the engine. */
export interface SimAtomics {
  op(name: string, mem: Int32Array, index: number, a: Arg, b: Arg, nargs: number, order?: MemoryOrder, failOrder?: MemoryOrder, use?: ResultUse): Result;
  /** The lock used an ordering, a fence or a plain access. */
  declareOrdered(): void;
  fence(order: MemoryOrder): void;
  plainTouch(mem: Int32Array, index: number, write: boolean): void;
  /** The kernel call behind the next wait (a C lock's msleep ...), for the sleeps report. */
  setWaitCall(call: string | undefined): void;
  addPreempt(delta: number): number;
  warn(message: string): void;
  loop(edge: LoopEdge): void;
}

/** One thread's atomics: `weak` (weak memory) keeps plain accesses apart from atomic ones. */
export function simAtomics(sim: SimAtomics, mem: Int32Array, weak: boolean): LockAtomics {
  const op = (name: string, m: Int32Array, i: number, a: Arg, b: Arg, n: number, o?: MemoryOrder, fo?: MemoryOrder, use?: ResultUse) => {
    if (o !== undefined) sim.declareOrdered();
    return sim.op(name, m, i, a, b, n, o, fo, use);
  };
  return {
    load: (m, i, o) => op('load', m, i, 0, 0, 0, o) as number,
    store: (m, i, v, o) => op('store', m, i, v, 0, 1, o) as number,
    add: (m, i, v, o, use) => op('add', m, i, v, 0, 1, o, undefined, use) as number,
    sub: (m, i, v, o, use) => op('sub', m, i, v, 0, 1, o, undefined, use) as number,
    and: (m, i, v, o, use) => op('and', m, i, v, 0, 1, o, undefined, use) as number,
    or: (m, i, v, o, use) => op('or', m, i, v, 0, 1, o, undefined, use) as number,
    xor: (m, i, v, o, use) => op('xor', m, i, v, 0, 1, o, undefined, use) as number,
    exchange: (m, i, v, o, use) => op('exchange', m, i, v, 0, 1, o, undefined, use) as number,
    compareExchange: (m, i, e, r, o, fo) => op('compareExchange', m, i, e, r, 2, o, fo) as number,
    wait: (m, i, v, timeout, call) => {
      sim.setWaitCall(call);
      return op('wait', m, i, v, timeout ?? Infinity, timeout === undefined ? 1 : 2) as 'ok' | 'not-equal' | 'timed-out';
    },
    load64: (m, i, o) => op('load64', m, i, 0n, 0n, 0, o) as bigint,
    store64: (m, i, v, o) => op('store64', m, i, v, 0n, 1, o) as bigint,
    add64: (m, i, v, o) => op('add64', m, i, v, 0n, 1, o) as bigint,
    and64: (m, i, v, o) => op('and64', m, i, v, 0n, 1, o) as bigint,
    or64: (m, i, v, o) => op('or64', m, i, v, 0n, 1, o) as bigint,
    xor64: (m, i, v, o) => op('xor64', m, i, v, 0n, 1, o) as bigint,
    exchange64: (m, i, v, o) => op('exchange64', m, i, v, 0n, 1, o) as bigint,
    compareExchange64: (m, i, e, r, o, fo) => op('compareExchange64', m, i, e, r, 2, o, fo) as bigint,
    notify: (m, i, count) => op('notify', m, i, count ?? 0, 0, count === undefined ? 0 : 1) as number,
    // SC: a fence orders nothing more, and plain accesses are loads and stores like any other.
    fence: (o) => sim.fence(o ?? 'seq_cst'),
    plainLoad: (m, i) => {
      sim.declareOrdered();
      return op(weak ? 'plainLoad' : 'load', m, i, 0, 0, 0) as number;
    },
    plainStore: (m, i, v) => {
      sim.declareOrdered();
      op(weak ? 'plainStore' : 'store', m, i, v, 0, 1);
    },
    plainAccess: (m, i, write) => sim.plainTouch(m, i, write),
    // cpu_relax(): a scheduling point that observes nothing but waits for any word to change
    relax: () => {
      op('relax', mem, BASE, 0, 0, 0);
    },
    preempt: (delta) => sim.addPreempt(delta),
    warn: (message) => sim.warn(message),
    loop: (edge) => sim.loop(edge),
  };
}

/** The word `index` of an op names, relative to the lock base; throws unless it is one of the lock's `words`. */
export function lockWord(name: string, mem: Int32Array, index: number, wide: number, lockMem: Int32Array, words: number): number {
  if (mem !== lockMem) throw new Error(`${name}: not on the lock's memory`);
  const rel = index - BASE;
  if (!Number.isInteger(index) || rel < 0 || rel + wide >= words) {
    throw new Error(`${name}: index ${rel} relative to the lock base is outside its ${words} word(s)`);
  }
  return rel;
}

/** An SC op on the words, as the real Atomics make it. */
export function perform(name: string, mem: Int32Array, index: number, a: Arg, b: Arg): number | bigint {
  if (typeof a === 'bigint') return perform64(name, mem, index, a, b as bigint);
  b = b as number;
  switch (name) {
    case 'load':
      return RAW_ATOMICS.load(mem, index);
    case 'store':
      return RAW_ATOMICS.store(mem, index, a);
    case 'add':
      return RAW_ATOMICS.add(mem, index, a);
    case 'sub':
      return RAW_ATOMICS.sub(mem, index, a);
    case 'and':
      return RAW_ATOMICS.and(mem, index, a);
    case 'or':
      return RAW_ATOMICS.or(mem, index, a);
    case 'xor':
      return RAW_ATOMICS.xor(mem, index, a);
    case 'exchange':
      return RAW_ATOMICS.exchange(mem, index, a);
    case 'compareExchange':
      return RAW_ATOMICS.compareExchange(mem, index, a, b);
    case 'relax':
      return 0;
    default:
      throw new Error(`unknown atomic op ${name}`);
  }
}

function perform64(name: string, mem: Int32Array, index: number, a: bigint, b: bigint): bigint {
  switch (name) {
    case 'load64':
      return RAW_ATOMICS64.load64(mem, index);
    case 'store64':
      return RAW_ATOMICS64.store64(mem, index, a);
    case 'compareExchange64':
      return RAW_ATOMICS64.compareExchange64(mem, index, a, b);
    default:
      return RAW_ATOMICS64[name as Rmw64](mem, index, a);
  }
}
