// The kernel primitives of litmus files as events, after tools/memory-model/linux-kernel.def
// (herd7's C semantics): a fully ordered RMW is F[mb]; R[once] ->rmw W[once]; F[mb]; a
// failed one is its read alone; a non-returning one reads with 'noreturn.
import * as E from './events.js';
import type { TV } from './events.js';
import type { Expr, Val } from './syntax.js';

export interface RmwOrder {
  mb: boolean;
  r: number;
  w: number;
}

export interface Prim {
  read(addr: TV, flags: number): TV;
  write(addr: TV, v: TV, flags: number): void;
  fence(flags: number, at?: TV): void;
  /** f(old): the value written (with its dependencies), or null for no write. */
  rmw(addr: TV, f: (old: Val) => TV | null, o: RmwOrder): TV;
  /** spin_lock(): LKR ->rmw LKW; returns the LKR's index. */
  lock(addr: TV): number;
  choose(n: number): number;
  bad(why: string): never;
}

const ORDERS: Record<string, RmwOrder> = {
  '': { mb: true, r: E.ONCE, w: E.ONCE },
  _relaxed: { mb: false, r: E.ONCE, w: E.ONCE },
  _acquire: { mb: false, r: E.ACQUIRE, w: E.ONCE },
  _release: { mb: false, r: E.ONCE, w: E.RELEASE },
};
const NORET: RmwOrder = { mb: false, r: E.NORETURN, w: E.ONCE };

const FENCES: Record<string, number> = {
  smp_mb: E.MB,
  smp_rmb: E.RMB,
  smp_wmb: E.WMB,
  barrier: E.BARRIER,
  smp_mb__before_atomic: E.BEFORE_ATOMIC,
  smp_mb__after_atomic: E.AFTER_ATOMIC,
  smp_mb__after_spinlock: E.AFTER_SPINLOCK,
  smp_mb__after_unlock_lock: E.AFTER_UNLOCK_LOCK,
  smp_mb__after_srcu_read_unlock: E.AFTER_SRCU_UNLOCK,
  rcu_read_lock: E.RCU_LOCK,
  rcu_read_unlock: E.RCU_UNLOCK,
  synchronize_rcu: E.SYNC_RCU,
  synchronize_rcu_expedited: E.SYNC_RCU,
};

type Op = (old: number, arg: number) => number;
const OPS: Record<string, Op> = {
  add: (o, a) => (o + a) | 0,
  sub: (o, a) => (o - a) | 0,
  inc: (o) => (o + 1) | 0,
  dec: (o) => (o - 1) | 0,
  and: (o, a) => o & a,
  or: (o, a) => o | a,
  xor: (o, a) => o ^ a,
  andnot: (o, a) => o & ~a,
};

const num = (v: Val, p: Prim): number => (typeof v === 'number' ? v : p.bad(`arithmetic on the address &${v}`));

/** atomic64_foo, atomic_long_foo, raw_atomic_foo, raw_spin_foo: as atomic_foo and spin_foo. */
const canonical = (fn: string): string =>
  fn.replace(/^raw_(?=atomic|spin)/, '').replace(/^arch_(?=atomic)/, '').replace(/^atomic(64|_long)_/, 'atomic_').replace(/^(cmpxchg|xchg)64/, '$1');

export function callPrimitive(p: Prim, written: string, args: Expr[], ev: (e: Expr) => TV, lv: (e: Expr) => TV): TV {
  const fn = canonical(written);
  const want = (n: number) => {
    if (args.length !== n) p.bad(`${written} takes ${n} argument(s), got ${args.length}`);
  };
  const none: TV = { v: 0, d: [] };
  const fence = FENCES[fn];
  if (fence !== undefined) return want(0), p.fence(fence), none;
  switch (fn) {
    case 'READ_ONCE':
    case 'rcu_dereference':
      return want(1), p.read(lv(args[0]!), E.ONCE);
    case 'WRITE_ONCE':
      return want(2), p.write(lv(args[0]!), ev(args[1]!), E.ONCE), none;
    case 'rcu_assign_pointer':
      return want(2), p.write(lv(args[0]!), ev(args[1]!), E.RELEASE), none;
    case 'smp_store_mb':
      want(2);
      p.write(lv(args[0]!), ev(args[1]!), E.ONCE);
      return p.fence(E.MB), none;
    case 'smp_load_acquire':
    case 'atomic_read_acquire':
      return want(1), p.read(ev(args[0]!), E.ACQUIRE);
    case 'atomic_read':
      return want(1), p.read(ev(args[0]!), E.ONCE);
    case 'smp_store_release':
    case 'atomic_set_release':
      return want(2), p.write(ev(args[0]!), ev(args[1]!), E.RELEASE), none;
    case 'atomic_set':
      return want(2), p.write(ev(args[0]!), ev(args[1]!), E.ONCE), none;
  }
  return locking(p, fn, args, ev, want) ?? rmwFamily(p, fn, written, args, ev, want) ?? bitOps(p, fn, args, ev, want) ?? p.bad(`unsupported primitive '${written}'`);
}

function locking(p: Prim, fn: string, args: Expr[], ev: (e: Expr) => TV, want: (n: number) => void): TV | null {
  const none: TV = { v: 0, d: [] };
  switch (fn) {
    case 'spin_lock':
      return want(1), p.lock(ev(args[0]!)), none;
    case 'spin_unlock':
      return want(1), p.write(ev(args[0]!), none, E.UL), none;
    case 'spin_trylock': {
      want(1);
      const a = ev(args[0]!);
      if (p.choose(2) === 0) return { v: 1, d: [p.lock(a)] };
      return { v: 0, d: p.read(a, E.LF).d };
    }
    case 'spin_is_locked': {
      want(1);
      const locked = p.choose(2) === 0;
      return { v: locked ? 1 : 0, d: p.read(ev(args[0]!), locked ? E.LF : E.RU).d };
    }
    case 'srcu_read_lock':
    case 'srcu_down_read':
      return want(1), p.read(ev(args[0]!), E.SRCU_LOCK);
    case 'srcu_read_unlock':
    case 'srcu_up_read':
      return want(2), p.write(ev(args[0]!), ev(args[1]!), E.SRCU_UNLOCK), none;
    case 'synchronize_srcu':
    case 'synchronize_srcu_expedited':
      return want(1), p.fence(E.SYNC_SRCU, ev(args[0]!)), none;
  }
  return null;
}

function rmwFamily(p: Prim, fn: string, written: string, args: Expr[], ev: (e: Expr) => TV, want: (n: number) => void): TV | null {
  let m = /^(?:atomic_)?(xchg|cmpxchg)(|_relaxed|_acquire|_release)$/.exec(fn);
  if (m) {
    const o = ORDERS[m[2]!]!;
    if (m[1] === 'xchg') {
      want(2);
      const v = ev(args[1]!);
      return p.rmw(ev(args[0]!), () => v, o);
    }
    want(3);
    const [a, exp, nv] = [ev(args[0]!), ev(args[1]!), ev(args[2]!)];
    const old = p.rmw(a, (o) => (o === exp.v ? nv : null), o);
    return { v: old.v, d: [...old.d, ...exp.d] };
  }
  m = /^atomic_(fetch_)?(add|sub|inc|dec|and|or|xor|andnot)(_return)?(_and_test)?(|_relaxed|_acquire|_release)$/.exec(fn);
  if (m) {
    const [fetch, base, ret, test, suf] = [m[1], m[2]!, m[3], m[4], m[5]!];
    if ((fetch && ret) || (test && (fetch || ret || suf)) || (test && !['inc', 'dec', 'sub', 'add'].includes(base))) {
      return p.bad(`unsupported primitive '${written}'`);
    }
    const unary = base === 'inc' || base === 'dec';
    want(unary ? 1 : 2);
    const arg = unary ? { v: 1, d: [] } : ev(args[0]!);
    const a = ev(args[unary ? 0 : 1]!);
    const op = OPS[base]!;
    if (!fetch && !ret && !test) {
      if (suf) return p.bad(`unsupported primitive '${written}'`);
      p.rmw(a, (o) => ({ v: op(num(o, p), num(arg.v, p)), d: arg.d }), NORET);
      return { v: 0, d: [] };
    }
    const old = p.rmw(a, (o) => ({ v: op(num(o, p), num(arg.v, p)), d: arg.d }), ORDERS[suf]!);
    const nv = op(num(old.v, p), num(arg.v, p));
    return { v: test ? (nv === 0 ? 1 : 0) : fetch ? old.v : nv, d: old.d };
  }
  m = /^atomic_add_negative(|_relaxed|_acquire|_release)$/.exec(fn);
  if (m) {
    want(2);
    const arg = ev(args[0]!);
    const old = p.rmw(ev(args[1]!), (o) => ({ v: (num(o, p) + num(arg.v, p)) | 0, d: arg.d }), ORDERS[m[1]!]!);
    const nv = (num(old.v, p) + num(arg.v, p)) | 0;
    return { v: nv < 0 ? 1 : 0, d: old.d };
  }
  return conditional(p, fn, args, ev, want);
}

/** The conditional atomics (scripts/atomic/fallbacks): fully ordered when they write, unordered when not. */
function conditional(p: Prim, fn: string, args: Expr[], ev: (e: Expr) => TV, want: (n: number) => void): TV | null {
  const full = ORDERS['']!;
  let ret: (old: number) => number;
  let step: (old: number) => number | null;
  switch (fn) {
    case 'atomic_inc_not_zero':
      want(1);
      step = (o) => (o === 0 ? null : (o + 1) | 0);
      ret = (o) => (o === 0 ? 0 : 1);
      break;
    case 'atomic_add_unless':
    case 'atomic_fetch_add_unless': {
      want(3);
      const a = num(ev(args[1]!).v, p);
      const u = num(ev(args[2]!).v, p);
      step = (o) => (o === u ? null : (o + a) | 0);
      ret = fn === 'atomic_add_unless' ? (o) => (o === u ? 0 : 1) : (o) => o;
      break;
    }
    case 'atomic_inc_unless_negative':
      want(1);
      step = (o) => (o < 0 ? null : (o + 1) | 0);
      ret = (o) => (o < 0 ? 0 : 1);
      break;
    case 'atomic_dec_unless_positive':
      want(1);
      step = (o) => (o > 0 ? null : (o - 1) | 0);
      ret = (o) => (o > 0 ? 0 : 1);
      break;
    case 'atomic_dec_if_positive':
      want(1);
      step = (o) => ((o - 1) | 0) < 0 ? null : (o - 1) | 0;
      ret = (o) => (o - 1) | 0;
      break;
    default:
      return null;
  }
  const old = p.rmw(ev(args[0]!), (o) => {
    const w = step(num(o, p));
    return w === null ? null : { v: w, d: [] };
  }, full);
  return { v: ret(num(old.v, p)), d: old.d };
}

const BIT_OPS: Record<string, { op: Op; o: RmwOrder; test: boolean }> = {
  set_bit: { op: OPS.or!, o: NORET, test: false },
  clear_bit: { op: OPS.andnot!, o: NORET, test: false },
  change_bit: { op: OPS.xor!, o: NORET, test: false },
  clear_bit_unlock: { op: OPS.andnot!, o: { mb: false, r: E.NORETURN, w: E.RELEASE }, test: false },
  test_and_set_bit: { op: OPS.or!, o: ORDERS['']!, test: true },
  test_and_clear_bit: { op: OPS.andnot!, o: ORDERS['']!, test: true },
  test_and_change_bit: { op: OPS.xor!, o: ORDERS['']!, test: true },
  test_and_set_bit_lock: { op: OPS.or!, o: ORDERS._acquire!, test: true },
};

/** asm-generic/bitops: bit operations on a word; a test_and_ op whose bit is already as asked does not write. */
function bitOps(p: Prim, fn: string, args: Expr[], ev: (e: Expr) => TV, want: (n: number) => void): TV | null {
  if (fn === 'test_bit' || fn === 'test_bit_acquire') {
    want(2);
    const nr = num(ev(args[0]!).v, p);
    const r = p.read(ev(args[1]!), fn === 'test_bit' ? E.ONCE : E.ACQUIRE);
    return { v: (num(r.v, p) >>> nr) & 1, d: r.d };
  }
  const b = BIT_OPS[fn.replace(/^__clear_bit_unlock$/, 'clear_bit_unlock')];
  if (!b) return null;
  want(2);
  const nr = num(ev(args[0]!).v, p);
  if (nr < 0 || nr > 31) p.bad(`${fn}: the bit number must be 0..31, not '${nr}'`);
  const mask = 1 << nr;
  const unchanged = (o: number) => (b.op === OPS.or && o & mask) || (b.op === OPS.andnot && !(o & mask));
  const old = p.rmw(ev(args[1]!), (o) => (b.test && unchanged(num(o, p)) ? null : { v: b.op(num(o, p), mask), d: [] }), b.o);
  return b.test ? { v: num(old.v, p) & mask ? 1 : 0, d: old.d } : { v: 0, d: [] };
}
