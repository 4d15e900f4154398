// The explorer: deterministic interleavings of the lock protocol, single-threaded (see sim.ts).
//
// Each iteration draws one program per simulated thread (`ops` sections R / W, see schedule.ts)
// and a schedule from the seed, runs them, and checks:
//   exclusion       a writer holds while another writer or a reader holds
//   trylock-waited  a writeTrylock spins and only readers that hold the lock could let it on
//                   (or it makes more than a bound of atomic ops without returning)
//   reader-waited   a readLock spins, no writer holds or is in a lock call, and only readers
//                   that hold the lock could let it on (readers are blocked only by writers)
//   not-released    after every program finished, a lone writeTrylock fails or spins
//   sleeps          atomics.wait in readLock, writeTrylock or writeUnlock (readUnlock may sleep)
//   livelock        every unfinished thread spins (or sleeps) and none can change a lock word
// A section "holds" from its lock call's return to the start of its unlock call (as locktorture).
// A thread that repeats an observation with the words it read unchanged spins: it is not run
// while another thread can run, so spinning never hangs the explorer.
//
// Why trylock-waited is not "returned true after a holding reader released during the call":
// zspage-spinlock's trylock may spin on the internal spinlock while readers lock and unlock,
// and so legitimately return true after a reader that held when it started has left. What is
// wrong is a trylock that cannot return unless a reader holding the lock (which may be asleep)
// runs: that is the state "the trylock spins, and every thread that could run holds a read lock".
//
// Determinism: with --seed S, iteration i is fixed by (S, i) for 'random'; for 'pct' also by
// the step estimate k, the longest run of iterations 0..i-1. replay() needs only the schedule.
import { BadInputError } from '../errors.js';
import type { LockDesign } from '../locks/contract.js';
import { loadLockDesign, lockSpecFor } from '../locks/registry.js';
import { Rng } from '../rng.js';
import { formatSchedule, parseSchedule } from './schedule.js';
import { Run, type Chooser } from './sim.js';
import type { ExploreFailure, ExploreOptions, ExploreResult, TraceStep } from './types.js';

export type { ExploreFailure, ExploreOptions, ExploreResult, ExplorerRule, Strategy, TraceStep } from './types.js';
export { EXPLORER_RULES } from './types.js';
export { formatSchedule, parseSchedule } from './schedule.js';

export const DEFAULT_EXPLORE_OPTIONS: ExploreOptions = {
  threads: 3,
  ops: 4,
  strategy: 'random',
  depth: 2,
  iterations: 10_000,
  seed: 1,
};

export async function explore(design: LockDesign, options: ExploreOptions): Promise<ExploreResult> {
  checkOptions(options);
  const { threads, ops, strategy, depth, iterations, seed } = options;
  const start = performance.now();
  let k = threads * ops * 4; // PCT's step count estimate, raised to the longest run seen
  let failure: ExploreFailure | null = null;
  let i = 0;
  while (i < iterations && !failure) {
    const rng = new Rng(seed, i);
    const programs = drawPrograms(rng, threads, ops);
    const choose = strategy === 'pct' ? pctChooser(rng, threads, depth, k) : randomChooser(rng);
    const run = new Run(design, programs, false);
    run.run(choose);
    k = Math.max(k, run.steps);
    if (run.failure) failure = { ...traced(design, programs, run), iteration: i };
    i++;
    if (i % 2048 === 0) await new Promise((r) => setImmediate(r)); // let signals and timers through
  }
  const elapsedMs = performance.now() - start;
  return {
    lock: design.name,
    options: { ...options },
    iterations: i,
    elapsedMs,
    iterationsPerSecond: elapsedMs > 0 ? (i * 1000) / elapsedMs : i,
    failure,
  };
}

/** Re-runs a schedule string exactly; the failure (if any) has iteration -1. */
export async function replay(
  design: LockDesign,
  schedule: string,
): Promise<{ failure: ExploreFailure | null; trace: TraceStep[] }> {
  const { programs, steps } = parseSchedule(schedule);
  const run = follow(design, programs, steps);
  if (run.incomplete) throw new BadInputError(`schedule ends after ${steps.length} steps, before the run does`);
  if (run.steps < steps.length) {
    throw new BadInputError(`schedule has ${steps.length - run.steps} steps after the run ended at step ${run.steps}`);
  }
  const failure = run.failure
    ? { ...run.failure, iteration: -1, schedule: formatSchedule(programs, run.schedule), trace: run.trace }
    : null;
  return { failure, trace: run.trace };
}

/** Runs `steps` with tracing on. */
function follow(design: LockDesign, programs: string[], steps: readonly number[]): Run {
  const run = new Run(design, programs, true);
  try {
    run.run((pool, step) => {
      const id = steps[step];
      if (id !== undefined && !pool.includes(id)) {
        throw new BadInputError(`schedule step ${step}: thread ${id} cannot run (runnable: ${pool.join(', ')})`);
      }
      return id;
    });
  } catch (err) {
    if (err instanceof RangeError) throw new BadInputError(`schedule: ${err.message}`);
    throw err;
  }
  return run;
}

/**
 * explore() runs untraced (faster); a failing iteration is run again from its schedule with
 * tracing on, which must give the same failure: a check that the lock is deterministic.
 */
function traced(design: LockDesign, programs: string[], run: Run): Omit<ExploreFailure, 'iteration'> {
  const again = follow(design, programs, run.schedule);
  const { rule, message } = run.failure!;
  if (again.failure?.rule !== rule || again.failure.message !== message) {
    throw new Error(`explorer: lock '${design.name}' is not deterministic: its failing schedule did not fail the same way again`);
  }
  return { rule, message, schedule: formatSchedule(programs, run.schedule), trace: again.trace };
}

/** One line per step: `#12   T1    writeTrylock compareExchange[0](0, -1) -> 0  [-1]  => true`. */
export function formatTrace(trace: readonly TraceStep[]): string {
  return trace
    .map((s) => {
      const who = s.checker ? 'check' : `T${s.thread}`;
      const op = s.op === null ? '(no atomic op)' : `${s.op}[${s.index}](${s.args.join(', ')}) -> ${s.result}`;
      const ret = s.returned === undefined ? '' : `  => ${s.returned === null ? 'returns' : s.returned}`;
      const note = s.note ? `  (${s.note})` : '';
      return `#${String(s.step).padEnd(4)} ${who.padEnd(5)} ${s.call.padEnd(12)} ${op.padEnd(36)} [${s.words.join(', ')}]${ret}${note}`;
    })
    .join('\n');
}

/** A lock by name (built-in or busted-...) or module path, for the CLI. */
export async function loadExplorerLock(nameOrPath: string, cwd = process.cwd()): Promise<LockDesign> {
  return loadLockDesign(lockSpecFor(nameOrPath, cwd));
}

function drawPrograms(rng: Rng, threads: number, ops: number): string[] {
  const programs: string[] = [];
  for (let t = 0; t < threads; t++) {
    let p = '';
    for (let j = 0; j < ops; j++) p += rng.below(2) === 0 ? 'R' : 'W';
    programs.push(p);
  }
  return programs;
}

function randomChooser(rng: Rng): Chooser {
  return (pool) => pool[rng.below(pool.length)];
}

/**
 * PCT (Burckhardt et al., ASPLOS 2010): distinct random initial priorities d..d+n-1, d-1 change
 * points uniform in [0, k); run the highest-priority runnable thread; at change point i the thread
 * about to run drops to priority i (below every initial one). Finds a depth-d bug with
 * probability >= 1/(n k^(d-1)) per run. Spinning threads are not runnable (see sim.ts).
 */
function pctChooser(rng: Rng, n: number, d: number, k: number): Chooser {
  const prio = Array.from({ length: n }, (_, i) => d + i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.below(i + 1);
    [prio[i], prio[j]] = [prio[j]!, prio[i]!];
  }
  const changes = new Map<number, number>();
  for (let i = 1; i < d; i++) changes.set(rng.below(k), i);
  const best = (pool: readonly number[]) => pool.reduce((a, b) => (prio[b]! > prio[a]! ? b : a));
  return (pool, step) => {
    const c = changes.get(step);
    if (c === undefined) return best(pool);
    prio[best(pool)] = c;
    return best(pool);
  };
}

function checkOptions(o: ExploreOptions): void {
  const int = (name: keyof ExploreOptions, min: number, max: number) => {
    const v = o[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw new BadInputError(`explore: --${name} must be an integer from ${min} to ${max}, got ${String(v)}`);
    }
  };
  int('threads', 1, 16);
  int('ops', 1, 64);
  int('depth', 1, 64);
  int('iterations', 1, 1e9);
  int('seed', -0x8000_0000, 0xffff_ffff);
  if (o.strategy !== 'random' && o.strategy !== 'pct') {
    throw new BadInputError(`explore: --strategy must be random or pct, got ${String(o.strategy)}`);
  }
}
