// 64-bit atomics (atomic64_t) on the Int32 words a lock is given: one operation on the
// pair mem[index], mem[index + 1] (low word first, as wasm32 and x86 lay out an s64),
// through a BigInt64Array view of the same shared memory. The arena places lock words
// 8-byte aligned; on a memory where the pair is not (the explorer's, which one thread
// owns), the operation is done on the two words in turn.
import type { LockAtomics } from './contract.js';

/** The RMW operations of 64 bits, as LockAtomics names them. */
export type Rmw64 = 'add64' | 'and64' | 'or64' | 'xor64' | 'exchange64';
export const RMW64: readonly Rmw64[] = ['add64', 'and64', 'or64', 'xor64', 'exchange64'];

/** The 64-bit half of LockAtomics. */
export type LockAtomics64 = Required<
  Pick<LockAtomics, 'load64' | 'store64' | 'add64' | 'and64' | 'or64' | 'xor64' | 'exchange64' | 'compareExchange64'>
>;

// Captured before any lock code runs: while a lock call runs, the global may be a stand-in.
const RAW = Atomics;
const views = new WeakMap<ArrayBufferLike, BigInt64Array>();

function view(mem: Int32Array): BigInt64Array {
  let v = views.get(mem.buffer);
  if (!v) {
    v = new BigInt64Array(mem.buffer, 0, Math.floor(mem.buffer.byteLength / 8));
    views.set(mem.buffer, v);
  }
  return v;
}

/** The value of a word pair. */
export function pairValue(lo: number, hi: number): bigint {
  return (BigInt(hi) << 32n) | BigInt(lo >>> 0);
}

/** Writes `value` (wrapped to 64 bits) to mem[index], mem[index + 1]. */
export function setPair(mem: Int32Array, index: number, value: bigint): void {
  mem[index] = Number(BigInt.asIntN(32, value));
  mem[index + 1] = Number(BigInt.asIntN(32, value >> 32n));
}

/** The new value of a 64-bit RMW. */
export function apply64(op: Rmw64, old: bigint, v: bigint): bigint {
  switch (op) {
    case 'add64':
      return BigInt.asIntN(64, old + v);
    case 'and64':
      return old & v;
    case 'or64':
      return old | v;
    case 'xor64':
      return old ^ v;
    case 'exchange64':
      return BigInt.asIntN(64, v);
  }
}

const aligned = (mem: Int32Array, index: number) => ((mem.byteOffset + index * 4) & 7) === 0;
const at = (mem: Int32Array, index: number) => (mem.byteOffset + index * 4) >> 3;

function rmw(op: Rmw64, mem: Int32Array, index: number, v: bigint): bigint {
  if (aligned(mem, index)) {
    const b = view(mem);
    const i = at(mem, index);
    switch (op) {
      case 'add64':
        return RAW.add(b, i, v);
      case 'and64':
        return RAW.and(b, i, v);
      case 'or64':
        return RAW.or(b, i, v);
      case 'xor64':
        return RAW.xor(b, i, v);
      case 'exchange64':
        return RAW.exchange(b, i, v);
    }
  }
  const old = pairValue(mem[index]!, mem[index + 1]!);
  setPair(mem, index, apply64(op, old, v));
  return old;
}

/** The 64-bit atomics on the memory itself, as the global Atomics would do them (orderings: SC). */
export const RAW_ATOMICS64: LockAtomics64 = {
  load64: (mem, index) => (aligned(mem, index) ? RAW.load(view(mem), at(mem, index)) : pairValue(mem[index]!, mem[index + 1]!)),
  store64: (mem, index, v) => {
    const w = BigInt.asIntN(64, v);
    if (aligned(mem, index)) RAW.store(view(mem), at(mem, index), w);
    else setPair(mem, index, w);
    return w;
  },
  add64: (mem, index, v) => rmw('add64', mem, index, v),
  and64: (mem, index, v) => rmw('and64', mem, index, v),
  or64: (mem, index, v) => rmw('or64', mem, index, v),
  xor64: (mem, index, v) => rmw('xor64', mem, index, v),
  exchange64: (mem, index, v) => rmw('exchange64', mem, index, v),
  compareExchange64: (mem, index, expected, replacement) => {
    const e = BigInt.asIntN(64, expected);
    const r = BigInt.asIntN(64, replacement);
    if (aligned(mem, index)) return RAW.compareExchange(view(mem), at(mem, index), e, r);
    const old = pairValue(mem[index]!, mem[index + 1]!);
    if (old === e) setPair(mem, index, r);
    return old;
  },
};

/** `k`'s 64-bit atomics, or the raw ones for atomics without them (the global Atomics). */
export function atomics64Of(k: LockAtomics): LockAtomics64 {
  return k.load64 ? (k as LockAtomics64) : RAW_ATOMICS64;
}
