// The kernel primitives of litmus files beyond the classic ones of parse.ts, with the
// meaning the C shim gives them (src/locks/c/include): the atomic64_t and atomic_long_t
// families (as atomic_t: a litmus location holds 32-bit values), the conditional atomics
// (fallbacks of scripts/atomic/), bit operations (asm-generic/bitops, atomic_bitops.txt),
// smp_store_mb and smp_acquire__after_ctrl_dep (asm-generic/barrier.h).
import type { MemoryOrder } from '../../locks/contract.js';
import type { CondOp, Operand, StmtBody } from './stmt.js';

/** The conditional RMWs: fully ordered when they write, unordered when they do not. */
export type { CondOp } from './stmt.js';

/** What a conditional op writes over `old` (null: nothing) and what it returns. */
export function condStep(op: CondOp, old: number, a: number, u: number): { write: number | null; ret: number } {
  switch (op) {
    case 'add_unless':
      return old === u ? { write: null, ret: 0 } : { write: (old + a) | 0, ret: 1 };
    case 'fetch_add_unless':
      return { write: old === u ? null : (old + a) | 0, ret: old };
    case 'inc_unless_negative':
      return old < 0 ? { write: null, ret: 0 } : { write: (old + 1) | 0, ret: 1 };
    case 'dec_unless_positive':
      return old > 0 ? { write: null, ret: 0 } : { write: (old - 1) | 0, ret: 1 };
    case 'dec_if_positive': {
      const dec = (old - 1) | 0;
      return { write: dec < 0 ? null : dec, ret: dec };
    }
  }
}

export interface KernelParse {
  fn: string;
  args: string[];
  reg: string | null;
  want(n: number): void;
  noReg(): void;
  operand(t: string): Operand;
  loc(t: string): string;
  bad(why: string): never;
}

/** atomic64_foo, atomic_long_foo, raw_atomic_foo, raw_spin_foo: as atomic_foo and spin_foo. */
export function canonical(fn: string): string {
  return fn.replace(/^raw_(?=atomic|spin)/, '').replace(/^atomic(64|_long)_/, 'atomic_').replace(/^(try_)?cmpxchg64/, '$1cmpxchg');
}

const BIT_OPS: Record<string, { op: 'or' | 'andnot' | 'xor'; order: MemoryOrder; test: boolean }> = {
  set_bit: { op: 'or', order: 'relaxed', test: false },
  clear_bit: { op: 'andnot', order: 'relaxed', test: false },
  change_bit: { op: 'xor', order: 'relaxed', test: false },
  clear_bit_unlock: { op: 'andnot', order: 'release', test: false },
  __clear_bit_unlock: { op: 'andnot', order: 'release', test: false },
  test_and_set_bit: { op: 'or', order: 'seq_cst', test: true },
  test_and_clear_bit: { op: 'andnot', order: 'seq_cst', test: true },
  test_and_change_bit: { op: 'xor', order: 'seq_cst', test: true },
  test_and_set_bit_lock: { op: 'or', order: 'acquire', test: true },
};

/** The statements of a kernel primitive this module knows, or null. */
export function kernelPrimitive(p: KernelParse): StmtBody[] | null {
  const { fn, args, reg } = p;
  const bit = (t: string): number => {
    const nr = Number(t);
    return Number.isInteger(nr) && nr >= 0 && nr < 32 ? nr : p.bad(`${fn}: the bit number must be 0..31, not '${t}'`);
  };
  switch (fn) {
    case 'smp_acquire__after_ctrl_dep':
      return p.want(0), p.noReg(), [{ k: 'fence', order: 'acquire' }];
    case 'smp_store_mb':
      p.want(2);
      p.noReg();
      return [
        { k: 'store', loc: p.loc(args[0]!), val: p.operand(args[1]!), order: 'relaxed' },
        { k: 'fence', order: 'seq_cst' },
      ];
    case 'atomic_inc_not_zero':
      return p.want(1), [{ k: 'cond', reg, loc: p.loc(args[0]!), op: 'add_unless', arg: { num: 1 }, unless: { num: 0 } }];
    case 'atomic_add_unless':
    case 'atomic_fetch_add_unless':
      p.want(3);
      return [{ k: 'cond', reg, loc: p.loc(args[0]!), op: fn.slice(7) as CondOp, arg: p.operand(args[1]!), unless: p.operand(args[2]!) }];
    case 'atomic_inc_unless_negative':
    case 'atomic_dec_unless_positive':
    case 'atomic_dec_if_positive':
      return p.want(1), [{ k: 'cond', reg, loc: p.loc(args[0]!), op: fn.slice(7) as CondOp, arg: { num: 0 }, unless: { num: 0 } }];
    case 'test_bit':
    case 'test_bit_acquire':
      p.want(2);
      return [{ k: 'load', reg, loc: p.loc(args[1]!), order: fn === 'test_bit' ? 'relaxed' : 'acquire', bit: bit(args[0]!) }];
  }
  const m = /^atomic_add_negative(|_relaxed|_acquire|_release)$/.exec(fn);
  if (m) {
    p.want(2);
    const order: MemoryOrder = m[1] === '' ? 'seq_cst' : (m[1]!.slice(1) as MemoryOrder);
    return [{ k: 'rmw', reg, loc: p.loc(args[1]!), op: 'add', arg: p.operand(args[0]!), order, ret: 'negative' }];
  }
  const b = BIT_OPS[fn];
  if (b) {
    p.want(2);
    if (!b.test) p.noReg();
    const mask = { num: 1 << bit(args[0]!) };
    const loc = p.loc(args[1]!);
    if (!b.test) return [{ k: 'rmw', reg: null, loc, op: b.op, arg: mask, order: b.order, ret: 'old' }];
    return [{ k: 'testBit', reg, loc, op: b.op, mask: mask.num, order: b.order }];
  }
  return null;
}
