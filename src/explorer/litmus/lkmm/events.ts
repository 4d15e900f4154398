// The events of LKMM executions (tools/memory-model/linux-kernel.bell, lock.cat): reads,
// writes and fences with herd7's annotations as bit flags.
import type { Val } from './syntax.js';

export const ONCE = 1 << 0;
export const ACQUIRE = 1 << 1;
export const RELEASE = 1 << 2;
/** The read of a non-value-returning RMW (atomic_inc): no smp_rmb() ordering. */
export const NORETURN = 1 << 3;
export const MB = 1 << 4;
export const RMB = 1 << 5;
export const WMB = 1 << 6;
export const BARRIER = 1 << 7;
export const RCU_LOCK = 1 << 8;
export const RCU_UNLOCK = 1 << 9;
export const SYNC_RCU = 1 << 10;
export const BEFORE_ATOMIC = 1 << 11;
export const AFTER_ATOMIC = 1 << 12;
export const AFTER_SPINLOCK = 1 << 13;
export const AFTER_UNLOCK_LOCK = 1 << 14;
export const AFTER_SRCU_UNLOCK = 1 << 15;
export const SRCU_LOCK = 1 << 16;
export const SRCU_UNLOCK = 1 << 17;
export const SYNC_SRCU = 1 << 18;
/** spin_lock(): the read and the write of its RMW. */
export const LKR = 1 << 19;
export const LKW = 1 << 20;
/** spin_unlock(). */
export const UL = 1 << 21;
/** A failed spin_trylock(), or spin_is_locked() returning true (lock.cat: LF = LF | RL). */
export const LF = 1 << 22;
/** spin_is_locked() returning false. */
export const RU = 1 << 23;
/** Part of an RMW instruction, taken or not (a failed cmpxchg's read too): the set RMW. */
export const RMW = 1 << 24;
/** An initial write. */
export const IW = 1 << 25;

/** A value and the reads (thread-local event indices) it depends on. */
export interface TV {
  v: Val;
  d: number[];
}

export const LOCK_EVENTS = LKR | LKW | UL | LF | RU;

export interface Ev {
  /** -1 for initial writes. */
  tid: number;
  kind: 'R' | 'W' | 'F';
  /** The location (a fence has none, synchronize_srcu() has its srcu_struct). */
  loc: string | null;
  val: Val;
  flags: number;
  /** Indices (in the same thread's event list) of the reads this event depends on. */
  addr: number[];
  data: number[];
  ctrl: number[];
  /** For the read of an RMW: the index of its write. */
  rmwWith?: number;
  /** Source line, for the witness. */
  line: number;
}

const NAMES: [number, string][] = [
  [ONCE, 'once'],
  [ACQUIRE, 'acquire'],
  [RELEASE, 'release'],
  [NORETURN, 'noreturn'],
  [MB, 'mb'],
  [RMB, 'rmb'],
  [WMB, 'wmb'],
  [BARRIER, 'barrier'],
  [RCU_LOCK, 'rcu-lock'],
  [RCU_UNLOCK, 'rcu-unlock'],
  [SYNC_RCU, 'sync-rcu'],
  [BEFORE_ATOMIC, 'before-atomic'],
  [AFTER_ATOMIC, 'after-atomic'],
  [AFTER_SPINLOCK, 'after-spinlock'],
  [AFTER_UNLOCK_LOCK, 'after-unlock-lock'],
  [AFTER_SRCU_UNLOCK, 'after-srcu-read-unlock'],
  [SRCU_LOCK, 'srcu-lock'],
  [SRCU_UNLOCK, 'srcu-unlock'],
  [SYNC_SRCU, 'sync-srcu'],
  [LKR, 'LKR'],
  [LKW, 'LKW'],
  [UL, 'UL'],
  [LF, 'LF'],
  [RU, 'RU'],
];

/** 'P1:R[once] x=1' and the like, for witnesses. */
export function describe(e: Ev): string {
  const tags = NAMES.filter(([f]) => e.flags & f).map(([, n]) => n);
  const who = e.tid < 0 ? 'init' : `P${e.tid}`;
  const tag = tags.length ? `[${tags.join(',')}]` : e.kind === 'F' || e.tid < 0 ? '' : '[plain]';
  if (e.kind === 'F') return `${who}:F${tag}${e.loc ? ` ${e.loc}` : ''}`;
  const v = e.flags & LOCK_EVENTS ? '' : `=${typeof e.val === 'string' ? `&${e.val}` : e.val}`;
  return `${who}:${e.kind}${tag} ${e.loc}${v}`;
}
