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
//   sleeps          atomics.wait in readLock, writeTrylock or writeUnlock (readUnlock may sleep,
//                   unless the lock itself disabled preemption: a held spinlock)
//   livelock        every unfinished thread spins (or sleeps) and none can change a lock word
//   data-race       (--memory weak) a section's plain accesses are not ordered after another
//                   section's by happens-before: the lock's orderings do not order its sections
//   warn            a WARN_ON/BUG_ON in the lock's code fired (C locks)
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
import { Rng } from '../rng.js';
import { formatSchedule, parseSchedule } from './schedule.js';
import { Run } from './sim.js';
import { pctChooser, pctReadChooser, randomChooser, randomReadChooser } from './strategies.js';
import type { ExploreFailure, ExploreOptions, ExploreResult, MemoryModel, TraceStep } from './types.js';
import type { ReadChooser } from './wmm/weak-run.js';
import type { ExploreWatch } from './watch.js';

export type { ExploreFailure, ExploreOptions, ExploreResult, ExplorerRule, MemoryModel, Strategy, TraceStep } from './types.js';
export { EXPLORER_RULES } from './types.js';
export { formatSchedule, parseSchedule } from './schedule.js';
export { formatTrace } from './trace-format.js';
export { loadExplorerLock } from './load-lock.js';

export const DEFAULT_EXPLORE_OPTIONS: ExploreOptions = {
  threads: 3,
  ops: 4,
  strategy: 'random',
  depth: 2,
  iterations: 10_000,
  seed: 1,
};

/**
 * @param watch where the run in progress is recorded as it goes (see bounded.ts): a lock
 *   call that never returns can then be reported, with its schedule, from another thread.
 */
export async function explore(design: LockDesign, options: ExploreOptions, watch?: ExploreWatch): Promise<ExploreResult> {
  checkOptions(options);
  const { threads, ops, strategy, depth, iterations, seed } = options;
  const weak = options.memory === 'weak';
  const start = performance.now();
  let k = threads * ops * 4; // PCT's step count estimate, raised to the longest run seen
  const reads = { count: 0, estimate: threads * ops * 2 }; // the same for loads with a choice
  let failure: ExploreFailure | null = null;
  let i = 0;
  while (i < iterations && !failure) {
    const rng = new Rng(seed, i);
    const programs = drawPrograms(rng, threads, ops);
    const chooseThread = strategy === 'pct' ? pctChooser(rng, threads, depth, k) : randomChooser(rng);
    const choose = watch ? watch.threads(i, chooseThread) : chooseThread;
    // read choices draw from their own stream, so thread schedules are those of --memory sc
    const readRng = new Rng(seed ^ 0x5eed_0e11, i);
    reads.count = 0;
    const chooseRead = !weak
      ? null
      : strategy === 'pct'
        ? pctReadChooser(readRng, options.staleDepth ?? 1, reads)
        : randomReadChooser(readRng);
    const run = new Run(design, programs, false, chooseRead && watch ? watch.reads(chooseRead) : chooseRead);
    run.run(choose);
    k = Math.max(k, run.steps);
    reads.estimate = Math.max(reads.estimate, reads.count);
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

/** The runs declaresOrderings() makes: explore()'s random iterations 0..7 of these options. */
export const ORDERINGS_PROBE: ExploreOptions = { threads: 2, ops: 3, strategy: 'random', depth: 1, iterations: 8, seed: 1 };

/**
 * Whether a lock declares memory orderings (an explicit order on an op, a fence or a plain
 * access) on a few short runs: such a lock deserves a weak-memory pass (`check` runs one).
 */
export function declaresOrderings(design: LockDesign, watch?: ExploreWatch): boolean {
  for (let i = 0; i < ORDERINGS_PROBE.iterations; i++) {
    const rng = new Rng(ORDERINGS_PROBE.seed, i);
    const run = new Run(design, drawPrograms(rng, ORDERINGS_PROBE.threads, ORDERINGS_PROBE.ops), false);
    run.run(watch ? watch.threads(i, randomChooser(rng)) : randomChooser(rng));
    if (run.ordered) return true;
  }
  return false;
}

/** The weak-memory pass for `check`: explore() with --memory weak (the data-race rule included). */
export function exploreWeak(design: LockDesign, options: Omit<ExploreOptions, 'memory'>): Promise<ExploreResult> {
  return explore(design, { ...options, memory: 'weak' });
}

/** Re-runs a schedule string exactly; the failure (if any) has iteration -1. */
export async function replay(
  design: LockDesign,
  schedule: string,
  memory: MemoryModel = 'sc',
): Promise<{ failure: ExploreFailure | null; trace: TraceStep[] }> {
  const { programs, steps, choices } = parseSchedule(schedule);
  const chosen = choices.findIndex((c) => c > 0);
  if (memory !== 'weak' && chosen >= 0) {
    throw new BadInputError(`schedule step ${chosen} has a read choice (${steps[chosen]}.${choices[chosen]}): replay it with --memory weak`);
  }
  const run = follow(design, programs, steps, memory === 'weak' ? choices : null);
  if (run.incomplete) throw new BadInputError(`schedule ends after ${steps.length} steps, before the run does`);
  if (run.steps < steps.length) {
    throw new BadInputError(`schedule has ${steps.length - run.steps} steps after the run ended at step ${run.steps}`);
  }
  choices.forEach((c, step) => {
    if (c > 0 && run.weak!.choices[step] !== c) throw new BadInputError(`schedule step ${step}: read choice ${c}, but that step makes no load with a choice`);
  });
  const failure = run.failure
    ? { ...run.failure, iteration: -1, schedule: scheduleOf(programs, run), trace: run.trace }
    : null;
  return { failure, trace: run.trace };
}

function scheduleOf(programs: readonly string[], run: Run): string {
  return formatSchedule(programs, run.schedule, run.weak?.choices);
}

/** Runs `steps` with tracing on; `choices` (weak memory) gives the read choices. */
function follow(design: LockDesign, programs: string[], steps: readonly number[], choices: readonly number[] | null): Run {
  const chooseRead: ReadChooser | null =
    choices &&
    ((n, step) => {
      const k = choices[step] ?? 0;
      if (k >= n) throw new BadInputError(`schedule step ${step}: read choice ${k}, only ${n} candidate(s)`);
      return k;
    });
  const run = new Run(design, programs, true, chooseRead);
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
    if (err instanceof Error && err.cause instanceof BadInputError) throw err.cause; // a read choice out of range
    throw err;
  }
  return run;
}

/**
 * explore() runs untraced (faster); a failing iteration is run again from its schedule with
 * tracing on, which must give the same failure: a check that the lock is deterministic.
 */
function traced(design: LockDesign, programs: string[], run: Run): Omit<ExploreFailure, 'iteration'> {
  const again = follow(design, programs, run.schedule, run.weak ? run.weak.choices : null);
  const { rule, message } = run.failure!;
  if (again.failure?.rule !== rule || again.failure.message !== message) {
    throw new Error(`explorer: lock '${design.name}' is not deterministic: its failing schedule did not fail the same way again`);
  }
  return { rule, message, schedule: scheduleOf(programs, run), trace: again.trace };
}

/** The programs of iteration `i`, as explore() draws them. */
export function programsOf(options: ExploreOptions, i: number): string[] {
  return drawPrograms(new Rng(options.seed, i), options.threads, options.ops);
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
  if (o.staleDepth !== undefined) int('staleDepth', 0, 64);
  if (o.memory !== undefined && o.memory !== 'sc' && o.memory !== 'weak') {
    throw new BadInputError(`explore: --memory must be sc or weak, got ${String(o.memory)}`);
  }
  if (o.strategy !== 'random' && o.strategy !== 'pct') {
    throw new BadInputError(`explore: --strategy must be random or pct, got ${String(o.strategy)}`);
  }
}

/** The failing run, replayed from its schedule with tracing on: it must fail the same way. */
export async function tracedFailure(design: LockDesign, programs: readonly string[], run: Run, memory: MemoryModel): Promise<ExploreFailure> {
  const schedule = formatSchedule(programs, run.schedule, run.weak?.choices);
  const { rule, message } = run.failure!;
  const again = (await replay(design, schedule, memory)).failure;
  if (again?.rule !== rule || again.message !== message) {
    throw new Error(`explorer: lock '${design.name}' is not deterministic: its failing schedule did not fail the same way again`);
  }
  return { rule, message, iteration: -1, schedule, trace: again.trace };
}
