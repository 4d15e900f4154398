// `explore --exhaustive`: every execution of one bounded client (a program of R/W sections
// per thread) of a lock, by model checking over the explorer's engine. Each execution is a Run
// whose chooser follows a stack of choice points (which thread steps; under --memory weak also
// which message a load reads), then extends it; backtracking changes the deepest point with
// something left to explore. The run is not started again: it is restored from a checkpoint
// of its state at or before that point (checkpoint.ts) and runs only the steps after it.
// Reduction: state caching with sleep sets (toExplore): from a state explored before, only the
// threads no earlier visit explored nor left asleep are explored, under weak with the weak memory keyed canonically (WeakMemory.canonical);
// at each point a load occurs, every message it may read but those an older one subsumes
// (WeakMemory's subsumed). Without caching, source-set DPOR with sleep sets (dpor.ts) over the
// dependency of touches.ts.
// A thread spinning on words nobody changed is not runnable (sim.ts): an await, not a branch.
import { performance } from 'node:perf_hooks';
import { tracedFailure } from './index.js';
import { addBacktracks, type BacktrackPoint } from './dpor.js';
import { appendOnly, Checkpoint } from './checkpoint.js';
import { Run, type Chooser } from './sim.js';
import { DigestSet, NEW } from './digest-set.js';
import { stateKey } from './state-key.js';
import { dependent, Touches, type Touch } from './touches.js';
import { Learned } from './wmm/learned.js';
import type { LockDesign } from '../locks/contract.js';
import type { ExhaustiveResult, MemoryModel } from './types.js';
import type { ExploreWatch } from './watch.js';
export type { ExhaustiveResult, ExhaustiveStatus } from './types.js';

export interface ExhaustiveOptions {
  memory: MemoryModel;
  /** Wall-clock budget; the result is `incomplete` when it runs out. */
  budgetMs: number;
  /** At most this many runs (executions and pruned ones). */
  maxRuns?: number;
  /** false: every interleaving and read choice, no reduction (the brute force tests compare with). */
  reduce?: boolean;
  /** Go on after a failure (tests collect every verdict); the first failure is the one reported. */
  keepGoing?: boolean;
  /** Sees every run that ended (not those pruned). */
  onRun?: (run: Run) => void;
  /** Where the run in progress is recorded as it goes (bounded.ts reports a hung lock call from it). */
  watch?: ExploreWatch;
  /** false: every execution re-runs from the start, no checkpoints (the tests compare with it). */
  fork?: boolean;
  /** false: no state caching (then DPOR, or nothing without `reduce`); it needs fork: see `toExplore`. */
  cache?: boolean;
  /** false: state caching keys a spinning call with its failed iterations (spin-fold.ts); the tests compare with it. */
  foldSpins?: boolean;
  /** false: state caching without sleep sets (see toExplore); the tests compare with it. */
  sleepSets?: boolean;
  /** false: state caching does not cut a point after a read-only failed round of a declared loop (spin-fold.ts); the tests compare with it. */
  cutRounds?: boolean;
  /** false: the weak key keeps every lock word's race records and older messages from the start (learned.ts); the tests compare with it. */
  learn?: boolean;
}

interface Point extends BacktrackPoint {
  thread: number;
  /** Read choice taken, and how many there are (1: the step's load had no choice). */
  choice: number;
  choices: number;
  /** Threads explored here (all their read choices). */
  done: number;
  /** Asleep on entry, with the footprint of their next step. */
  sleep: Sleeper[];
  /** Footprint of this point's step, over the read choices taken so far. */
  touch: Touch;
  /** Some thread spun on unchanged words at this point or before it (an await). */
  spun: boolean;
  /** State caching: the key of the state at this point; '' for a point that repeats a cycle. */
  key: string;
}

/** State caching: what the point hook found of a new point's state. */
interface Cut {
  /** Explored before, with every thread awake now: the point is cut. */
  seen: boolean;
  key: string;
  /** The threads to explore at the point: all but those explored from its state before. */
  explore: number;
  /** The keys of the points on the stack, with their depth. */
  onStack: Map<string, number>;
  /** A cycle: the state at step `at` is the one at point `from`; the run repeats the points between until it fails. */
  loop: { from: number; at: number } | null;
  /** Whether a point after a read-only failed round is cut (Run.dominated). */
  rounds: boolean;
}

interface Sleeper {
  thread: number;
  touch: Touch;
}

const NOTHING: Touch = { read: 0, write: 0, count: 0 };
/** Every thread (a bit each). */
const ALL = -1;
/** DPOR: a checkpoint every this many points: a capture costs about as much as a few steps. */
const EVERY = 8;
/**
 * State caching: a checkpoint at a point that branches, when the last one is at least this many
 * steps back (a backtrack restores the nearest one and runs the steps after it again): capturing
 * at every branching point costs more than those steps (on zspage-two-word's RR/RR/WW, 3 runs
 * the most states a second of 1 to 4).
 */
const CACHE_SPACING = 3;

export async function exploreExhaustive(design: LockDesign, programs: readonly string[], options: ExhaustiveOptions): Promise<ExhaustiveResult> {
  const reduce = options.reduce !== false;
  const weak = options.memory === 'weak';
  const start = performance.now();
  const stack: Point[] = [];
  const result: ExhaustiveResult = { programs: [...programs], memory: options.memory, status: 'verified', executions: 0, pruned: 0, awaited: 0, elapsedMs: 0, failure: null };
  let from = 0; // the first point this run changes or adds
  let runs = 0;
  // Checkpoints (checkpoint.ts): saved[k] is the state at point k, valid while stack[0..k-1]
  // stays; an execution restores the one at `from` and runs only the steps after it.
  const fork = options.fork !== false;
  const cache = fork && reduce && options.cache !== false;
  const dpor = reduce && !cache;
  const sleepy = dpor || (cache && options.sleepSets !== false);
  let visited = new DigestSet();
  const saved: Checkpoint[] = [];
  const learned = new Learned(programs.length, design.words, !cache || options.learn === false);
  let run: Run | null = null;
  const cut: Cut = { seen: false, key: '', explore: ALL, onStack: new Map(), loop: null, rounds: options.cutRounds !== false };
  for (;;) {
    if (performance.now() - start > options.budgetMs || runs >= (options.maxRuns ?? Infinity)) {
      result.status = 'incomplete';
      break;
    }
    let blocked = false;
    const choose: Chooser = (pool, step) => {
      if (step < stack.length) return stack[step]!.thread;
      if (cut.loop) return repeat(stack, cut.loop, pool, step);
      if (cut.seen) {
        blocked = true;
        return undefined;
      }
      const sleep = step === 0 || !sleepy ? [] : inherit(stack[step - 1]!, run!.touches!.steps[step - 1]!);
      const point = newPoint(pool, sleep, dpor, cache ? cut.explore : ALL, pool.length < live(run!) || (step > 0 && stack[step - 1]!.spun));
      if (point === null) {
        blocked = true;
        return undefined;
      }
      stack.push(point);
      if (cache) cut.onStack.set((point.key = cut.key), step);
      return point.thread;
    };
    const watch = options.watch;
    run = resume(run, saved, from, () => {
      const read = (n: number, step: number, skip: number) => chooseRead(stack[step], n, reduce ? skip : 0);
      const fresh = new Run(design, programs, false, !weak ? null : watch ? watch.reads(read) : read);
      fresh.touches = new Touches();
      appendOnly(fresh.schedule, fresh.touches.steps, ...fresh.threads.map((t) => t.memo), ...(fresh.weak?.memory.growing() ?? []));
      fresh.foldSpins = cache && options.foldSpins !== false;
      if (fresh.weak) learned.apply(fresh.weak);
      if (cache) fresh.atPoint = caching(fresh, stack, visited, saved, callsIndependent(design), cut, sleepy);
      else if (fork) fresh.atPoint = (step) => void (step % EVERY === 0 && step >= saved.length && (saved[step] = Checkpoint.capture(fresh)));
      return fresh;
    });
    const r: Run = run!;
    r.run(watch ? watch.threads(runs, choose, r.steps) : choose);
    cut.loop = null;
    runs++;
    const failed = await account(r, stack, from, blocked, result, design, options);
    if (dpor) addBacktracks(r.schedule, r.touches!.steps, stack, programs.length, from);
    if (failed && !options.keepGoing) break;
    if (r.weak && learned.learn(r.weak)) {
      // a thread did what the key took it not to do: start again, knowing it
      [visited, run, from, stack.length, saved.length] = [new DigestSet(), null, 0, 0, 0];
      cut.onStack.clear();
      continue;
    }
    const next = backtrack(stack, sleepy, cut.onStack);
    if (next < 0) break;
    from = next;
    if (runs % 512 === 0) await new Promise((r) => setImmediate(r)); // let signals and timers through
  }
  if (result.failure) result.status = 'failed';
  if (cache) result.states = visited.size;
  result.elapsedMs = performance.now() - start;
  return result;
}

/**
 * Adds a run that ended to `result`, and its footprints to the points it passed; returns
 * whether it is the first to fail (the failure, replayed with tracing, is then on `result`).
 */
async function account(r: Run, stack: Point[], from: number, blocked: boolean, result: ExhaustiveResult, design: LockDesign, options: ExhaustiveOptions): Promise<boolean> {
  const n = r.schedule.length;
  for (let k = from; k < n; k++) stack[k]!.touch = union(stack[k]!.touch, r.touches!.steps[k]!);
  if (blocked) {
    result.pruned++;
    return false;
  }
  result.executions++;
  if (n > 0 && stack[Math.min(n, stack.length) - 1]!.spun) result.awaited++;
  options.onRun?.(r);
  if (!r.failure || result.failure) return false;
  result.failure = await tracedFailure(design, result.programs, r, options.memory);
  return true;
}

/**
 * State caching (the default, in place of DPOR): a depth-first search of the state
 * graph, every runnable thread at every point, that does not explore a point twice from the
 * same state. Sound because a point's state decides everything after it: lock code is re-run
 * from each thread's memo (its history), so the words, the threads (memo, call, holds, spin
 * observations), the sleepers, the rules' counters and, under weak, the weak memory are the
 * whole state (state-key.ts reads them, and names what it leaves out and why; the weak memory
 * is keyed with what numbers the path renumbered, WeakMemory.canonical); of the counters that only number the path
 * (steps, schedule, word versions, stamps) the key keeps what the engine ever compares of them
 * (SpinWatch.relations). The one bound that counts the path, livelock after so many steps, is
 * judged on the first path to reach each state: an endless execution from a state still runs
 * into it there, as the history keeps growing. For a design whose calls are independent
 * (LockDesign.callsIndependent) a thread's calls before its current one cannot change what it
 * does next: the key keeps its current call's ops only, with every completed failed spin
 * iteration removed (spin-fold.ts: the spin watch's own assumption). A state is known by 96 bits of the
 * SHA-1 of its text (SPIN's hash compaction; DigestSet keeps 95 of them): two states of one
 * client colliding, which would leave one unexplored, has odds below n^2 / 2^96 for n states.
 * With sleep sets (Godefroid, "Partial-Order Methods for the Verification of Concurrent
 * Systems", LNCS 1032, ch. 5-6): a thread explored at a point sleeps in the siblings after it
 * until a step it depends on (touches.ts); a state is stored with the threads asleep at its
 * first visit, and a later visit explores only those asleep at every earlier one but awake now.
 * Two independent steps of different threads reach one state in either order (the
 * dependency is the engine's whole footprint: words, holders, payload, the global view; a
 * test swaps such steps), so every state is still reached; only orders already explored are
 * not tried again. Returns the threads to explore at the state: ALL for a new one, 0 for one
 * with nothing left.
 */
function toExplore(visited: DigestSet, key: string, asleep: number): number {
  const left = visited.visit(key, asleep);
  return left === NEW ? ALL : left;
}

/** The run restored to the nearest checkpoint at or before `from` (the steps after it follow the stack again), or a new one. */
function resume(run: Run | null, saved: Checkpoint[], from: number, fresh: () => Run): Run {
  let at = run !== null ? Math.min(from, saved.length - 1) : -1;
  while (at >= 0 && !saved[at]) at--;
  if (at >= 0) {
    saved.length = at + 1;
    saved[at]!.restore();
    return run!;
  }
  saved.length = 0;
  return fresh();
}

/**
 * Whether a thread is known by its current call (see toExplore): a design that says so, and a
 * C lock. A C lock's instance is not part of the run's state: checkpoints do not capture it and
 * every step re-runs the thread's history on it, so the engine already takes each of its calls
 * to depend on the words and its own ops' results alone (static data written by one call and
 * read by the next would not replay).
 */
function callsIndependent(design: LockDesign): boolean {
  return design.callsIndependent === true || design.source !== undefined;
}

/**
 * State caching's point hook: a new point is cut if its state was explored before, else kept
 * for backtracking when it branches (CACHE_SPACING). A state that is one on the stack closes a
 * cycle: the threads can go round it for ever, so the run is not cut but repeats it, and fails
 * as any run that does not finish fails (livelock, at Run's step bound), with a schedule that
 * replays.
 */
function caching(run: Run, stack: Point[], visited: DigestSet, saved: Checkpoint[], callsIndependent: boolean, cut: Cut, sleepy: boolean) {
  return (step: number): void => {
    if (step < stack.length || cut.loop) return;
    if (run.dominated && cut.rounds) {
      // a read-only failed round of a declared loop (spin-fold.ts): what can follow it can
      // follow the point before it, which is explored; not stored, as it was not explored
      cut.seen = true;
      return;
    }
    cut.key = stateKey(run, callsIndependent);
    const from = cut.onStack.get(cut.key);
    if (from !== undefined) {
      cut.loop = { from, at: step };
      cut.seen = false;
      return;
    }
    const asleep = step === 0 || !sleepy ? 0 : asleepAfter(stack[step - 1]!, run.touches!.steps[step - 1]!);
    cut.explore = toExplore(visited, cut.key, asleep);
    cut.seen = cut.explore === 0;
    if (!cut.seen && branches(run) && step - (saved.length - 1) >= CACHE_SPACING) saved[step] = Checkpoint.capture(run);
  };
}

/** The next point of a cycle the run repeats: the one a period back, with its thread and read choice and nothing else to explore. */
function repeat(stack: Point[], loop: { from: number; at: number }, pool: readonly number[], step: number): number {
  const src = stack[loop.from + ((step - loop.at) % (loop.at - loop.from))]!;
  if (!pool.includes(src.thread)) throw new Error(`explorer: step ${step} repeats a cycle, but T${src.thread} cannot run`);
  stack.push({ ...src, pool: [src.thread], backtrack: 0, done: 0, sleep: [], touch: NOTHING, spun: false, key: '' });
  return src.thread;
}

/** Whether more than one thread can take the next step (SpinWatch.schedulable's pool): only then is the point backtracked to. */
function branches(run: Run): boolean {
  let runnable = 0;
  let candidates = 0;
  for (const t of run.threads) {
    if (t.done || (t.wait && !t.wait.timeout)) continue;
    candidates++;
    if (!run.spin.isStuck(t)) runnable++;
  }
  return runnable > 1 || (runnable === 0 && candidates > 1);
}

/** Unfinished threads: fewer in the pool means some spin on unchanged words. */
function live(run: Run): number {
  let n = 0;
  for (const t of run.threads) if (!t.done && !t.wait) n++;
  return n;
}

/**
 * The point's read choice: its `choice`-th candidate of the n not in `skip` (subsumed by an
 * older one: WeakMemory's `subsumed`). The end-of-run check (past the stack) reads the newest
 * values: it has no choice.
 */
function chooseRead(point: Point | undefined, n: number, skip: number): number {
  if (!point) return 0;
  let choices = 0;
  let k = -1;
  for (let c = 0; c < n; c++) {
    if ((skip >> c) & 1) continue;
    if (choices++ === point.choice) k = c;
  }
  point.choices = choices;
  return k;
}

/**
 * A new choice point: its first thread the first one awake among those in `explore` (state
 * caching leaves out those explored from its state before), or null when none is.
 */
function newPoint(pool: readonly number[], sleep: Sleeper[], reduce: boolean, explore: number, spun: boolean): Point | null {
  let asleep = 0;
  for (const s of sleep) asleep |= 1 << s.thread;
  const thread = pool.find((p) => !((asleep >> p) & 1) && (explore >> p) & 1);
  if (thread === undefined) return null;
  let all = 0;
  for (const p of pool) all |= 1 << p;
  // DPOR adds threads by race analysis; otherwise every runnable thread is explored at every point
  const backtrack = reduce ? 1 << thread : all & explore;
  return { pool: [...pool], thread, choice: 0, choices: 1, backtrack, asleep, done: 0, sleep, touch: NOTHING, clock: null, spun, key: '' };
}

/** The sleep set after `parent`'s step: its own and its explored siblings, minus those that step depends on. */
function inherit(parent: Point, step: Touch): Sleeper[] {
  const out: Sleeper[] = [];
  for (const s of parent.sleep) if (s.thread !== parent.thread && !dependent(s.touch, step)) out.push(s);
  return out;
}

/** The threads of inherit()'s sleep set, a bit each (no list made: most points are cut). */
function asleepAfter(parent: Point, step: Touch): number {
  let asleep = 0;
  for (const s of parent.sleep) if (s.thread !== parent.thread && !dependent(s.touch, step)) asleep |= 1 << s.thread;
  return asleep;
}

/** Moves the deepest point with something left to its next choice; returns its depth, or -1 when done. */
function backtrack(stack: Point[], reduce: boolean, onStack: Map<string, number>): number {
  while (stack.length > 0) {
    const i = stack.length - 1;
    const p = stack[i]!;
    if (p.key === '' && p.backtrack === 0) {
      stack.pop(); // a cycle's repeat: nothing else to explore there
      continue;
    }
    if (p.choice + 1 < p.choices) {
      p.choice++;
      return i;
    }
    p.done |= 1 << p.thread;
    if (reduce) {
      // the explored thread sleeps in the siblings after it, until a step it depends on
      p.sleep = [...p.sleep, { thread: p.thread, touch: p.touch }];
      p.asleep |= 1 << p.thread;
    }
    const next = p.pool.find((t) => (p.backtrack >> t) & 1 && !((p.done >> t) & 1) && !((p.asleep >> t) & 1));
    if (next !== undefined) {
      p.thread = next;
      p.choice = 0;
      p.choices = 1;
      p.touch = NOTHING;
      return i;
    }
    onStack.delete(p.key);
    stack.pop();
  }
  return -1;
}

function union(a: Touch, b: Touch): Touch {
  return { read: a.read | b.read, write: a.write | b.write, count: a.count | b.count };
}
