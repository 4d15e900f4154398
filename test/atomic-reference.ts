// What each kernel atomic operation does, from Documentation/atomic_t.txt, written
// independently of the shim: the semantic test compares the shim with it.
import type { MemoryOrder } from '../src/locks/contract.js';

export interface Outcome {
  /** What the function returns (bool as 0/1; void as 0). */
  result: bigint;
  /** The atomic's value after the call. */
  value: bigint;
  /** *old after the call (try_cmpxchg writes the value found there on failure). */
  old: bigint;
  /** The ordering of the last memory access the operation makes (atomic_t.txt). */
  order: MemoryOrder;
}

export interface Call {
  /** e.g. atomic64_fetch_add_unless */
  name: string;
  /** Value arguments by parameter name (i, a, u, new, old). */
  args: Record<string, bigint>;
  value: bigint;
  /** *old before the call. */
  old: bigint;
}

export const widthOf = (name: string) => (name.startsWith('atomic64_') ? 64 : 32);

/** The operation without its family prefix and ordering suffix, and that ordering. */
export function split(name: string): { op: string; order: MemoryOrder | null } {
  const op = name.replace(/^atomic(64|_long)?_/, '');
  if (op === 'read_acquire' || op === 'set_release') return { op, order: null };
  const m = /^(.*)_(acquire|release|relaxed)$/.exec(op);
  return m ? { op: m[1]!, order: m[2] as MemoryOrder } : { op, order: null };
}

const VOID_RMW = new Set(['add', 'sub', 'inc', 'dec', 'and', 'andnot', 'or', 'xor']);

export function reference(c: Call): Outcome {
  const w = widthOf(c.name);
  const wrap = (x: bigint) => BigInt.asIntN(w, x);
  const { op, order } = split(c.name);
  const v = c.value;
  const i = c.args.i ?? 0n;
  let value = v;
  let result = 0n;
  let old = c.old;
  let changed = true;
  const b = (x: boolean) => (x ? 1n : 0n);
  const arith: Record<string, (x: bigint) => bigint> = {
    add: (x) => x + i,
    sub: (x) => x - i,
    inc: (x) => x + 1n,
    dec: (x) => x - 1n,
    and: (x) => x & i,
    andnot: (x) => x & ~i,
    or: (x) => x | i,
    xor: (x) => x ^ i,
  };
  let m: RegExpExecArray | null;
  if (op === 'read' || op === 'read_acquire') {
    result = v;
    changed = false;
  } else if (op === 'set' || op === 'set_release') value = i;
  else if (VOID_RMW.has(op)) value = wrap(arith[op]!(v));
  else if ((m = /^(\w+)_return$/.exec(op))) result = value = wrap(arith[m[1]!]!(v));
  else if (op.startsWith('fetch_') && arith[op.slice(6)]) {
    result = v;
    value = wrap(arith[op.slice(6)]!(v));
  } else if (op === 'xchg') {
    result = v;
    value = c.args.new!;
  } else if (op === 'cmpxchg') {
    result = v;
    changed = v === c.args.old;
    if (changed) value = c.args.new!;
  } else if (op === 'try_cmpxchg') {
    changed = v === c.old;
    result = b(changed);
    if (changed) value = c.args.new!;
    else old = v;
  } else if (op === 'sub_and_test') result = b((value = wrap(v - i)) === 0n);
  else if (op === 'dec_and_test') result = b((value = wrap(v - 1n)) === 0n);
  else if (op === 'inc_and_test') result = b((value = wrap(v + 1n)) === 0n);
  else if (op === 'add_negative') result = b((value = wrap(v + i)) < 0n);
  else if (op === 'fetch_add_unless' || op === 'add_unless') {
    changed = v !== c.args.u;
    if (changed) value = wrap(v + c.args.a!);
    result = op === 'add_unless' ? b(changed) : v;
  } else if (op === 'inc_not_zero' || op === 'inc_unless_negative' || op === 'dec_unless_positive') {
    changed = op === 'inc_not_zero' ? v !== 0n : op === 'inc_unless_negative' ? v >= 0n : v <= 0n;
    if (changed) value = wrap(v + (op === 'dec_unless_positive' ? -1n : 1n));
    result = b(changed);
  } else if (op === 'dec_if_positive') {
    result = wrap(v - 1n);
    changed = result >= 0n;
    if (changed) value = result;
  } else throw new Error(`reference: no meaning for ${c.name}`);
  return { result, value, old, order: orderOf(op, order, changed) };
}

/**
 * atomic_t.txt: non-RMW ops and void RMWs are relaxed (read_acquire, set_release as named);
 * value-returning RMWs are fully ordered unless suffixed; a conditional RMW that fails is
 * unordered (its last access is the relaxed read that saw the condition fail).
 */
function orderOf(op: string, suffix: MemoryOrder | null, changed: boolean): MemoryOrder {
  if (op === 'read_acquire') return 'acquire';
  if (op === 'set_release') return 'release';
  if (op === 'read' || op === 'set' || VOID_RMW.has(op)) return 'relaxed';
  const conditional = /unless|not_zero|if_positive|cmpxchg/.test(op);
  if (conditional && !changed) return 'relaxed';
  return suffix ?? 'seq_cst';
}
