// The flight recorder: each worker keeps its last FLIGHT_ENTRIES zspage lock operations in
// its own ring in the arena (operation, zspage, lock words before and after, when), written by
// the shadow's core (shadow-core.ts). On a violation the ops of every worker on the zspage in
// question are read out and put in order, so that a failure shows how it came about.
//
// Order: SHADOW.OPS counts the starts and ends of lock operations on each zspage, so its
// value as an operation starts and ends places it exactly among the others on the same
// zspage. Time: the coordinator's millisecond clock in the header (HDR.CLOCK_MS), which
// costs a load where a clock read would cost a tenth of a reader's cycle (docs/BENCHMARKS.md).
import { FLIGHT, FLIGHT_ENTRIES, FLIGHT_ENTRY_WORDS, FLIGHT_LOCK_WORDS, OPS_IN_BITS, type Layout } from '../arena/layout.js';

export const FLIGHT_OPS = ['readLock', 'readUnlock', 'writeTrylock', 'writeUnlock', 'sleep'] as const;
export type FlightOpName = (typeof FLIGHT_OPS)[number];
export const FLIGHT_OP = { readLock: 1, readUnlock: 2, writeTrylock: 3, writeUnlock: 4, sleep: 5 } as const;
/** FLIGHT.STATUS: still inside, returned, or a writeTrylock that returned false. */
export const FLIGHT_STATUS = { IN_PROGRESS: 0, RETURNED: 1, FAILED: 2 } as const;
const STATUS = FLIGHT_STATUS;
const GEN_BITS = 32 - OPS_IN_BITS;
const GEN_MASK = 2 ** GEN_BITS - 1;

/** One recorded operation, as summary.json shows it. */
export interface FlightOp {
  /** The worker that performed it. */
  by: string;
  op: FlightOpName;
  /** 'returned', 'failed' (a writeTrylock that returned false) or 'in progress' (still inside when read). */
  status: 'returned' | 'failed' | 'in progress';
  zspage: number;
  /** Position among the starts and ends of lock operations on this zspage (exact order). */
  seq: number;
  seqEnd: number | null;
  /** Run time in ms as it started (to the coordinator's 25 ms tick). */
  atMs: number;
  before: number[];
  after: number[] | null;
}

/** The recent operations of every worker on zspage `z`, in the order they started. */
export function recentOps(mem: Int32Array, L: Layout, labels: readonly string[], z: number): FlightOp[] {
  const words = Math.min(L.params.lockWords, FLIGHT_LOCK_WORDS);
  const ops: FlightOp[] = [];
  for (let w = 0; w < labels.length; w++) {
    const ring = L.flight + w * FLIGHT_ENTRIES * FLIGHT_ENTRY_WORDS;
    for (let i = 0; i < FLIGHT_ENTRIES; i++) {
      const e = ring + i * FLIGHT_ENTRY_WORDS;
      const op = mem[e + FLIGHT.OP]!;
      if (op === 0 || mem[e + FLIGHT.ZSPAGE] !== z) continue;
      const gen = mem[e + FLIGHT.GEN]!;
      const status = mem[e + FLIGHT.STATUS]!;
      const read = (from: number) => Array.from(mem.subarray(e + from, e + from + words));
      const entry: FlightOp = {
        by: labels[w]!,
        op: FLIGHT_OPS[op - 1] ?? 'readLock',
        status: status === STATUS.IN_PROGRESS ? 'in progress' : status === STATUS.FAILED ? 'failed' : 'returned',
        zspage: z,
        seq: gen,
        seqEnd: status === STATUS.IN_PROGRESS ? null : mem[e + FLIGHT.GEN_END]!,
        atMs: mem[e + FLIGHT.MS]!,
        before: read(FLIGHT.BEFORE),
        after: status === STATUS.IN_PROGRESS ? null : read(FLIGHT.AFTER),
      };
      // its worker runs on: a slot reused while it was read is not this operation
      if (mem[e + FLIGHT.OP] === op && mem[e + FLIGHT.GEN] === gen) ops.push(entry);
    }
  }
  return orderOps(ops);
}

/**
 * Unwraps the sequence numbers (GEN_BITS wide) and sorts by them. Starts are unwrapped
 * against the newest start (the last started in the newest clock tick): no start comes
 * after it. Each end is unwrapped against its own start, since an operation may end after
 * the newest one started (a reader asleep holding). Operations that started further back
 * than half the sequence's range cannot be placed, and one whose slot was torn by reuse
 * (an end that is not after its start): dropped.
 */
export function orderOps(ops: FlightOp[]): FlightOp[] {
  if (ops.length === 0) return ops;
  const newest = ops.reduce((a, b) => (b.atMs > a.atMs || (b.atMs === a.atMs && ahead(b.seq, a.seq)) ? b : a));
  const ref = newest.seq;
  const unwrap = (s: number) => ref - ((ref - s) & GEN_MASK);
  const span = (o: FlightOp) => (o.seqEnd === null ? 0 : (o.seqEnd - o.seq) & GEN_MASK);
  const placed = ops
    .filter((o) => ((ref - o.seq) & GEN_MASK) < GEN_MASK / 2 && span(o) < GEN_MASK / 2 && (o.seqEnd === null || span(o) > 0))
    .map((o) => {
      const seq = unwrap(o.seq);
      return { ...o, seq, seqEnd: o.seqEnd === null ? null : seq + span(o) };
    });
  const base = Math.min(...placed.map((o) => o.seq));
  return placed
    .map((o) => ({ ...o, seq: o.seq - base, seqEnd: o.seqEnd === null ? null : o.seqEnd - base }))
    .sort((a, b) => a.seq - b.seq || a.by.localeCompare(b.by));
}

const ahead = (a: number, b: number) => ((a - b) & GEN_MASK) < GEN_MASK / 2 && a !== b;

/** One line per operation, for the terminal. */
export function formatRecentOps(ops: readonly FlightOp[]): string[] {
  return ops.map((o) => {
    const span = o.seqEnd === null ? `#${o.seq}..` : `#${o.seq}..${o.seqEnd}`;
    const words = `[${o.before.join(', ')}] -> ${o.after ? `[${o.after.join(', ')}]` : '(still inside)'}`;
    const result = o.op === 'writeTrylock' && o.status !== 'in progress' ? (o.status === 'failed' ? ' = false' : ' = true') : '';
    return `${span.padEnd(14)} ${`~${o.atMs} ms`.padEnd(10)} ${o.by.padEnd(13)} ${`${o.op}${result}`.padEnd(20)} ${words}`;
  });
}
