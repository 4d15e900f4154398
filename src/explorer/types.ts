// Public types of the explorer (see index.ts for the API and the schedule string format).

import type { ExplorerRule } from '../grading/vocabulary.js';

export { EXPLORER_RULES, type ExplorerRule } from '../grading/vocabulary.js';

export type Strategy = 'random' | 'pct';
/** sc: every op sequentially consistent (JS Atomics). weak: the orderings a lock declares mean what they say (LK-RA). */
export type MemoryModel = 'sc' | 'weak';

/** How `explore --exhaustive` avoids equivalent executions: state caching, or source-set DPOR (exhaustive.ts). */
export type Reduction = 'states' | 'dpor';

export interface ExploreOptions {
  /** Simulated threads, 1..16. */
  threads: number;
  /** Sections per thread: 'R' = readLock; readUnlock, 'W' = writeTrylock; writeUnlock if it succeeded. */
  ops: number;
  strategy: Strategy;
  /** PCT bug depth d (d - 1 priority change points); ignored by 'random'. */
  depth: number;
  iterations: number;
  seed: number;
  /** Default 'sc'. */
  memory?: MemoryModel;
  /** Weak memory, PCT: how many loads per run read an older message (default 1); random reads one with probability 1/4 per load. */
  staleDepth?: number;
}

export type LockCall = 'readLock' | 'readUnlock' | 'writeTrylock' | 'writeUnlock';

/** One scheduling step: one atomic op of one simulated thread (or a call with none, or a wait timing out). */
export interface TraceStep {
  step: number;
  /** Thread index; `threads` (one past the last) is the end-of-run checker. */
  thread: number;
  /** Set on the steps of the end-of-run release check (a lone writeTrylock). */
  checker?: true;
  call: LockCall;
  /** Atomic op name (Atomics method), or null for a call that made no atomic op. */
  op: string | null;
  /** Word index relative to the lock base. */
  index: number | null;
  args: number[];
  result: number | string | null;
  /** The lock words after the step. */
  words: number[];
  /** Set when the call returned in this step: its value (null for void calls). */
  returned?: boolean | null;
  note?: string;
  /** Set on a call's first step: the kernel caller it models and what that caller holds (calling-context). */
  caller?: string;
  /** Weak memory: the op's ordering ('plain' for a plain access). */
  order?: string;
  /** Weak memory: the store a load read (step/thread -1: the initial value), and which of n candidates it was (0 = newest). */
  readFrom?: { step: number; thread: number; order: string; k: number; n: number };
}

export interface ExploreFailure {
  rule: ExplorerRule;
  message: string;
  /** Iteration of explore() that failed; -1 when it comes from replay(). */
  iteration: number;
  schedule: string;
  trace: TraceStep[];
}

export interface ExploreResult {
  lock: string;
  options: ExploreOptions;
  /** Iterations run (up to and including a failing one). */
  iterations: number;
  elapsedMs: number;
  iterationsPerSecond: number;
  failure: ExploreFailure | null;
}

export type ExhaustiveStatus = 'verified' | 'failed' | 'incomplete';

export interface ExhaustiveResult {
  programs: string[];
  memory: MemoryModel;
  /** verified: every execution explored, none failed. incomplete: the budget ran out first. */
  status: ExhaustiveStatus;
  /** Runs that ended: the program finished (and the release check ran) or a rule failed. */
  executions: number;
  /** Runs cut short because every runnable thread was asleep: an equivalent one was explored. */
  pruned: number;
  /** Executions in which some thread spun on unchanged words (an await) at least once. */
  awaited: number;
  elapsedMs: number;
  failure: ExploreFailure | null;
  /** State caching (sc): the states explored, each once. */
  states?: number;
  /** Incomplete because a signal stopped it (check's ^C), not because its budget ran out. */
  interrupted?: boolean;
}
