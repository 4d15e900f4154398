// The weak memory's records (WeakMemory, memory.ts): messages, accesses, reads, races, and
// the per-location and per-thread state that holds them.
import type { MemoryOrder } from '../../locks/contract.js';

export interface Msg {
  val: number;
  /** A 64-bit value's high word (atomic64_t: the pair of words is one location, `val` its low word). */
  hi?: number;
  /** The view the message releases (null: releases nothing). */
  view: Int32Array | null;
  /** Writer thread (-1: the initial value), its clock at the write, the step it ran in. */
  tid: number;
  clock: number;
  step: number;
  /** What wrote it, for reports: e.g. 'writeUnlock store'. */
  what: string;
  order: MemoryOrder | 'plain' | 'init';
}

/** One thread's last access of a kind to a location, for the race check. */
export interface Access {
  tid: number;
  clock: number;
  step: number;
  what: string;
  plain: boolean;
  write: boolean;
}

/** A read a thread made, kept to explain a race (which message did it acquire from?). */
export interface ReadRecord {
  loc: number;
  msg: Msg;
  order: MemoryOrder;
  step: number;
  what: string;
}

export interface Race {
  loc: number;
  /** The access that was checked (plain or atomic, read or write). */
  access: Access;
  /** The earlier access of another thread it races with. */
  other: Access;
  /** Why nothing orders them, in words (see explainRace). */
  why: string;
}

export interface Loc {
  msgs: Msg[];
  lastW: (Access | null)[];
  lastR: (Access | null)[];
  lastPW: (Access | null)[];
  lastPR: (Access | null)[];
}

export interface ThreadMem {
  /** What the thread must respect: [0, L) message positions, [L, L + T) clocks. */
  cur: Int32Array;
  /** cur plus the views of messages read relaxed: what an acquire fence takes up. */
  acq: Int32Array;
  /** cur at the last release fence: what a relaxed store releases. */
  relFence: Int32Array | null;
  reads: ReadRecord[];
}
