// A simulated thread of the explorer (sim.ts), and the types its parts share.
import type { LockCaller } from '../locks/calling-context.js';
import type { LockAtomics } from '../locks/contract.js';
import type { LockCall } from './types.js';

/** Lock base inside the simulated memory: not 0, so absolute indices would show. */
export const BASE = 1;
/** Thrown at a preemption point: it unwinds the lock code (re-execution, sim.ts). */
export const PREEMPT = Object.freeze({ explorerPreempt: true });

export type Holds = 'none' | 'read' | 'write';
export type Result = number | string | bigint;
/** An op's value arguments: BigInt for the 64-bit ops (atomic64_t). */
export type Arg = number | bigint;

export interface Memo {
  op: string;
  index: number;
  /** undefined while the thread sleeps in this atomics.wait */
  result: Result | undefined;
}

export interface SimThread {
  id: number;
  /** Sections: R, W; the checker runs 'T' (a lone writeTrylock). */
  program: string;
  memo: Memo[];
  callsDone: number;
  /**
   * The program's section its last call began in (-1: none yet). A failed writeTrylock ends its
   * section in one call, so calls done alone do not say where in its program a thread is.
   */
  section: number;
  /** The call started and not yet returned. */
  call: LockCall | null;
  callOps: number;
  holds: Holds;
  done: boolean;
  /** Set while asleep in atomics.wait. */
  wait: { index: number; timeout: boolean } | null;
  /** Non-modifying observations (op, index, args, result) in this call since a word it watched changed. */
  seen: Set<string>;
  /** The last of those observations, and whether it repeated the one before it. */
  last: string;
  echoed: boolean;
  /** Bitmask of the lock words those observations read, and the sum of their versions then. */
  watched: number;
  watchStamp: number;
  /** It repeated an observation with its words unchanged: it spins until one of them changes. */
  stuck: boolean;
  /** Weak memory: words it now reads the newest value of (it repeated a possibly stale observation). */
  fresh: number;
  /** Weak memory: an observation since `seen` was last cleared may be of an old value. */
  unsure: boolean;
  /** A word it watched changed: the rest is forgotten at once (SpinWatch.changed), `fresh` at its next observation. */
  forgot: boolean;
  atomics: LockAtomics;
  /** preempt_count: the caller's context plus what the lock holds, recomputed by each re-run. */
  preempt: number;
  /** The kernel caller the call in progress models (calling-context), for its trace. */
  caller: LockCaller | null;
  /** The call in progress has a trace entry naming its caller. */
  callerTraced: boolean;
  /** plainAccess designs: the words when call i began, and when memo op j returned. */
  pre: Int32Array[];
  /** Word changes it made itself; with SpinWatch.changes, the changes others made. */
  own: number;
  /** In a writeTrylock: (op, result, words after) seen since another thread last changed a word. */
  cycle: Map<string, number>;
  cycleStamp: number;
  /** It went round a loop of its own (e.g. drop and retake a spinlock) that only another thread can end. */
  cycling: boolean;
  post: (Int32Array | undefined)[];
  /** State caching (Run.foldSpins): the call in progress, its failed spin iterations removed (spin-fold.ts). */
  folded: string[];
  /** Where in `folded` the loop the call is in began (LockAtomics.loop; -1: none). */
  loopFrom: number;
  /**
   * A design that reports its plain accesses (LockDesign.plainReported): for each stretch of the
   * call in progress (0: from its start; k: after its k-th op), the words its plain code read
   * before writing them, a bit each: all it took from the words besides its ops' results.
   */
  inputs: number[];
  /** The words the stretch running now wrote plainly (reading one after is no input). */
  written: number;
  /** preempt_count where the call in progress (or the next) begins, and what each call returned: a re-run skips completed calls (Run). */
  base: number;
  returned: (boolean | null)[];
}

export function newThread(id: number, program: string, atomics: LockAtomics): SimThread {
  return {
    id,
    program,
    memo: [],
    callsDone: 0,
    section: -1,
    call: null,
    callOps: 0,
    holds: 'none',
    done: false,
    wait: null,
    seen: new Set(),
    last: '',
    echoed: false,
    watched: 0,
    watchStamp: 0,
    stuck: false,
    fresh: 0,
    unsure: false,
    forgot: false,
    atomics,
    preempt: 0,
    caller: null,
    callerTraced: false,
    pre: [],
    post: [],
    inputs: [],
    written: 0,
    base: 0,
    returned: [],
    own: 0,
    cycle: new Map(),
    cycleStamp: 0,
    cycling: false,
    folded: [],
    loopFrom: -1,
  };
}

/**
 * Where a re-run that skipped `t`'s completed calls goes on: preempt_count as they left it, and
 * the memo at the first op of the call in progress (or the next).
 */
export function skipDone(t: SimThread): number {
  t.preempt = t.base;
  return t.memo.length - (t.call === null ? 0 : t.callOps);
}

/** `t`'s call in progress returned `ret`, with preempt_count as it left it. */
export function callDone(t: SimThread, ret: boolean | null): void {
  t.base = t.preempt;
  t.returned.push(ret);
  t.callsDone++;
}

/** What lock code threw (not a preemption), as the explorer reports it: `where` names the lock, thread and call. */
export function lockError(where: string, err: unknown): Error {
  return new Error(`explorer: ${where}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}

/** `T0, T2`: threads as traces and messages name them. */
export function names(ts: readonly SimThread[]): string {
  return ts.map((t) => `T${t.id}`).join(', ');
}

/** Threads asleep in atomics.wait (futex_wait), in the order they went to sleep. */
export class Sleepers {
  readonly asleep: SimThread[] = [];

  /** `t` sleeps in the wait it made at `index` (the last op of its memo, not yet answered). */
  sleep(t: SimThread, index: number, timeout: boolean): void {
    t.memo.push({ op: 'wait', index, result: undefined });
    t.wait = { index, timeout };
    this.asleep.push(t);
  }

  /** futex_wake: up to `count` sleepers on `index` wake with 'ok'. */
  notify(index: number, count: number): SimThread[] {
    const woken: SimThread[] = [];
    for (const s of [...this.asleep]) {
      if (woken.length >= count) break;
      if (s.wait?.index !== index) continue;
      s.memo[s.memo.length - 1]!.result = 'ok';
      this.unblock(s);
      woken.push(s);
    }
    return woken;
  }

  /** The timed wait `t` sleeps in times out (a step of its own); returns the wait's index. */
  timeOut(t: SimThread): number {
    const m = t.memo[t.memo.length - 1]!;
    m.result = 'timed-out';
    this.unblock(t);
    return m.index;
  }

  unblock(t: SimThread): void {
    t.wait = null;
    this.asleep.splice(this.asleep.indexOf(t), 1);
  }
}
