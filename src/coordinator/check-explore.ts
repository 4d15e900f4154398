// check's explorer parts, run in a worker (workers/check-explorer.ts, src/explorer/check-part.ts) and watched from here:
// lock code runs synchronously, so a lock call that loops without an atomic op the explorer
// can preempt (a spin on plain memory) would hang an in-process exploration for good. Here
// such a call is a livelock failure, with the schedule that reaches it, and the worker is ended.
import { formatSchedule, ORDERINGS_PROBE, programsOf, type ExploreFailure, type ExploreOptions, type MemoryModel } from '../explorer/index.js';
import { STEP_LIMIT_MS } from '../explorer/bounded.js';
import { ExploreWatch } from '../explorer/watch.js';
import type { LockSpec } from '../locks/registry.js';
import type { CheckExplorerData, CheckExplorerMessage, ExploreConfig } from '../supervised/check-explorer-messages.js';
import { awaitAnswer, spawnWorker, type Supervision } from '../supervised/worker.js';

/** A step takes microseconds; once the worker runs, this long without one is a hung lock call. */
export const CHECK_STEP_LIMIT_MS = 2000;
const POLL_MS = 50;

export type ExplorerPartOutcome =
  | { kind: 'done'; iterations: number; failure: ExploreFailure | null; config: ExploreOptions | null; hung: boolean }
  | { kind: 'skipped' }
  | { kind: 'error'; message: string; iterations: number }
  | { kind: 'interrupted'; iterations: number };

export function runExplorerPart(
  lock: LockSpec,
  memory: MemoryModel,
  configs: ExploreConfig[],
  seed: number,
  budgetMs: number,
  onlyIfOrdered: boolean,
  stopped: () => boolean,
  /** Called once, when the worker has loaded the lock and explores (or skips). */
  exploring: () => void = () => {},
  limitMs = CHECK_STEP_LIMIT_MS,
): Promise<ExplorerPartOutcome> {
  const watchSize = {
    threads: Math.max(ORDERINGS_PROBE.threads, ...configs.map((c) => c.threads)),
    ops: Math.max(ORDERINGS_PROBE.ops, ...configs.map((c) => c.ops)),
  };
  const watch = new ExploreWatch(watchSize);
  const data: CheckExplorerData = { lock, memory, configs, seed, budgetMs, onlyIfOrdered, watch: watch.buffer, watchSize };
  let current: { config: number; seed: number } | null = null;
  let iterations = 0;
  let beats = -1;
  let since = performance.now();
  let explored = false;
  const tick = (s: Supervision<ExplorerPartOutcome>) => {
    if (stopped()) return s.resolve({ kind: 'interrupted', iterations });
    const now = performance.now();
    const b = watch.beats();
    if (b !== beats) {
      beats = b;
      since = now;
    }
    // Until the worker has started exploring (loading a lock may compile it), the explorer's own limit.
    if (now - since >= (current ? limitMs : STEP_LIMIT_MS)) s.resolve(hungOutcome(watch, current, configs, memory, iterations, limitMs));
  };
  return awaitAnswer<CheckExplorerMessage, ExplorerPartOutcome>(spawnWorker('check-explorer', data), {
    after: 'terminate',
    start(s) {
      since = performance.now();
      s.every(POLL_MS, () => tick(s));
    },
    message(m, s) {
      since = performance.now();
      if (s.settled) return; // a message still queued when the worker was ended
      if (!explored && (!('chunk' in m) || m.chunk.config >= 0)) {
        explored = true;
        exploring();
      }
      if ('chunk' in m) {
        current = m.chunk;
        iterations = m.iterations ?? iterations;
      } else if ('skipped' in m) s.resolve({ kind: 'skipped' });
      else if ('error' in m) s.resolve({ kind: 'error', message: m.error, iterations: iterations + m.iterations });
      else {
        const { failure, config, seed } = m.done;
        const options = failure ? { ...configs[config]!, iterations: 1, seed, memory } : null;
        s.resolve({ kind: 'done', iterations: m.done.iterations, failure, config: options, hung: false });
      }
    },
    error: (err, s) => s.reject(err),
    exit: (code, s) => s.reject(new Error(`check's explorer worker exited (code ${code})`)),
  });
}

/** A lock call that stopped making steps, as a livelock failure with the schedule that reaches it. */
function hungOutcome(
  watch: ExploreWatch,
  current: { config: number; seed: number } | null,
  configs: ExploreConfig[],
  memory: MemoryModel,
  iterations: number,
  limitMs: number,
): ExplorerPartOutcome {
  const { iteration, steps, choices } = watch.progress();
  const thread = steps[steps.length - 1];
  const message =
    `${thread === undefined ? 'the first step' : `T${thread}`} did not finish its step within ${limitMs / 1000} s: ` +
    'its lock call loops without an atomic op the explorer can preempt (a spin on plain memory?)';
  // The orderings probe (config -1) runs SC: its schedule replays without --memory weak.
  const options: ExploreOptions =
    current && current.config >= 0 ? { ...configs[current.config]!, iterations: 1, seed: current.seed, memory } : { ...ORDERINGS_PROBE, memory: 'sc' };
  const schedule = formatSchedule(programsOf(options, iteration), steps, options.memory === 'weak' ? choices : undefined);
  return {
    kind: 'done',
    iterations: iterations + 1,
    failure: { rule: 'livelock', message, iteration, schedule, trace: [] },
    config: options,
    hung: true,
  };
}
