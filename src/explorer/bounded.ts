// explore() and replay() in a worker, watched from this thread: a lock call that does not
// return (lock code looping without an atomic op, which the explorer cannot preempt) is
// reported as a failure with the schedule that reaches it, and the worker is ended.
import { BadInputError } from '../errors.js';
import type { LockSpec } from '../locks/registry.js';
import type { ExplorerReply, ExplorerWorkerData } from '../supervised/explorer-messages.js';
import { awaitAnswer, spawnWorker } from '../supervised/worker.js';
import { formatSchedule, parseSchedule } from './schedule.js';
import { programsOf } from './index.js';
import type { ExploreFailure, ExploreOptions, ExploreResult, MemoryModel, Reduction, TraceStep } from './types.js';
import { ExploreWatch } from './watch.js';
import type { ExhaustiveResult } from './exhaustive.js';

/** A step (one atomic op of one thread) takes microseconds; this long without one has hung. */
export const STEP_LIMIT_MS = 10_000;
const POLL_MS = 100;

const hungMessage = (limitMs: number, thread: number | undefined) =>
  `${thread === undefined ? 'the first step' : `T${thread}`} did not finish its step within ${limitMs / 1000} s: ` +
  'its lock call loops without an atomic op the explorer can preempt (a spin on plain memory?)';

export async function exploreBounded(lock: LockSpec, options: ExploreOptions, limitMs = STEP_LIMIT_MS): Promise<ExploreResult> {
  const watch = new ExploreWatch(options);
  const start = performance.now();
  const reply = await runWatched({ lock, task: { kind: 'explore', options }, watch: watch.buffer }, watch, limitMs);
  if (reply !== null && reply !== STOPPED) {
    if ('bad' in reply) throw new BadInputError(reply.bad);
    if ('explored' in reply) return reply.explored;
  }
  const { iteration, steps, choices } = watch.progress();
  const elapsedMs = performance.now() - start;
  return {
    lock: lock.ref,
    options: { ...options },
    iterations: iteration + 1,
    elapsedMs,
    iterationsPerSecond: ((iteration + 1) * 1000) / elapsedMs,
    failure: {
      rule: 'livelock',
      message: hungMessage(limitMs, steps[steps.length - 1]),
      iteration,
      schedule: formatSchedule(programsOf(options, iteration), steps, choices),
      trace: [],
    },
  };
}

/** exploreExhaustive() of one client in a worker: a lock call that never returns fails it, with its schedule. */
export async function exhaustiveBounded(
  lock: LockSpec,
  programs: string[],
  memory: MemoryModel,
  budgetMs: number,
  limitMs = STEP_LIMIT_MS,
  /** Polled while it runs: true ends the worker, and the result is incomplete and interrupted (^C in check). */
  stopped: () => boolean = () => false,
  reduction: Reduction = 'states',
): Promise<ExhaustiveResult> {
  const watch = new ExploreWatch(watchShape(programs));
  const start = performance.now();
  const reply = await runWatched({ lock, task: { kind: 'exhaustive', programs, memory, budgetMs, reduction }, watch: watch.buffer }, watch, limitMs, stopped);
  if (reply === STOPPED) {
    const { iteration } = watch.progress();
    const elapsedMs = performance.now() - start;
    return { programs, memory, status: 'incomplete', executions: Math.max(0, iteration), pruned: 0, awaited: 0, elapsedMs, failure: null, interrupted: true };
  }
  if (reply !== null) {
    if ('bad' in reply) throw new BadInputError(reply.bad);
    if ('exhausted' in reply) return reply.exhausted;
  }
  const { iteration, steps, choices } = watch.progress();
  const failure = { rule: 'livelock' as const, message: hungMessage(limitMs, steps[steps.length - 1]), iteration: -1, schedule: formatSchedule(programs, steps, choices), trace: [] };
  return { programs, memory, status: 'failed', executions: iteration + 1, pruned: 0, awaited: 0, elapsedMs: performance.now() - start, failure };
}

/** The watch's size for a client: its threads, and its longest program. */
export function watchShape(programs: readonly string[]): { threads: number; ops: number } {
  return { threads: programs.length, ops: Math.max(...programs.map((p) => p.length)) };
}

export async function replayBounded(
  lock: LockSpec,
  schedule: string,
  memory: MemoryModel = 'sc',
  limitMs = STEP_LIMIT_MS,
): Promise<{ failure: ExploreFailure | null; trace: TraceStep[] }> {
  const reply = await runWatched({ lock, task: { kind: 'replay', schedule, memory }, watch: new ExploreWatch({ threads: 1, ops: 1 }).buffer }, null, limitMs);
  if (reply !== null && reply !== STOPPED) {
    if ('bad' in reply) throw new BadInputError(reply.bad);
    if ('replayed' in reply) return reply.replayed;
  }
  const last = parseSchedule(schedule).steps.at(-1);
  return { failure: { rule: 'livelock', message: hungMessage(limitMs, last), iteration: -1, schedule, trace: [] }, trace: [] };
}

const STOPPED = 'stopped';

/** The worker's reply, or null if it stopped making steps for `limitMs` (a whole replay: `limitMs` in all), or STOPPED. */
function runWatched(
  data: ExplorerWorkerData,
  watch: ExploreWatch | null,
  limitMs: number,
  stopped: () => boolean = () => false,
): Promise<ExplorerReply | null | typeof STOPPED> {
  let beats = -1;
  let since = performance.now();
  return awaitAnswer<ExplorerReply, ExplorerReply | null | typeof STOPPED>(spawnWorker('explorer', data), {
    after: 'terminate',
    start(s) {
      since = performance.now();
      s.every(POLL_MS, () => {
        if (stopped()) return s.resolve(STOPPED);
        const now = performance.now();
        const b = watch ? watch.beats() : 0;
        if (b !== beats) {
          beats = b;
          if (watch) since = now;
        }
        if (now - since >= limitMs) s.resolve(null);
      });
    },
    message: (m, s) => s.resolve(m),
    error: (err, s) => s.reject(err),
    exit: (code, s) => s.reject(new Error(`the explorer's worker exited (code ${code})`)),
  });
}
