// A model worker's view of the run: the pool model, its random stream, metrics, counters,
// held state and violation sink; the role's plan from the scenario.
import { attachArena, type Arena } from '../arena/arena.js';
import { HDR, WORKER_COUNTERS, WRK } from '../arena/layout.js';
import { ThreadCpu } from '../invariants/thread-cpu.js';
import { recentOps } from '../invariants/flight-recorder.js';
import { HeldState, STATE, STATE_NAMES } from '../invariants/held-state.js';
import type { ViolationKind } from '../grading/vocabulary.js';
import { createRouted, RAW_ATOMICS } from '../invariants/global-atomics.js';
import { Lockdep } from '../invariants/lockdep.js';
import { ProbeAtomics } from '../invariants/probe-atomics.js';
import { ShadowHooks, type WriterTiming } from '../invariants/shadow.js';
import { ShadowCore } from '../invariants/shadow-core.js';
import type { ViolationSink } from '../invariants/violation.js';
import type { LockDesign } from '../locks/contract.js';
import { COVERAGE_WORDS } from '../model/coverage.js';
import { newCpu } from '../model/kernel-locks.js';
import { buildClassTable } from '../model/size-class.js';
import { createZs, type Zs } from '../model/zs.js';
import { COUNTER } from '../roles/counters.js';
import { isZero, sampleNs } from '../roles/dist.js';
import { METRIC, Metrics } from '../roles/metrics.js';
import { createNoise, type Noise } from '../roles/noise.js';
import type { RoleEnv, RolePlan } from '../roles/pool.js';
import { Rng } from '../rng.js';
import { ROLES, roleLabel, type RoleTask, type WorkerMessage } from '../roles/task.js';

/** Messages beyond this many per worker are counted, not sent. */
const MAX_VIOLATION_MESSAGES = 50;
/** The first this many messages per worker carry the flight recorder's view of their zspage. */
const WITH_RECENT_OPS = 3;

export interface RoleContext extends RoleEnv {
  task: RoleTask;
  label: string;
  zs: Zs;
  /** Int32 index of this worker's line. */
  line: number;
  held: HeldState;
  shadow: ShadowHooks;
  sink: ViolationSink;
  /** Race noise in the lock's operations (readers and churners: the read lockers); null: none. */
  noise: Noise | null;
  post(message: WorkerMessage): void;
}

/** The role's plan from the scenario. */
export function modelPlan(task: RoleTask): RolePlan {
  const s = task.scenario;
  const { readers } = s;
  return {
    role: task.role,
    roleIndex: task.roleIndex,
    workerIndex: task.workerIndex,
    seed: task.seed,
    stable: task.stable,
    churnFirst: task.churnFirst,
    churnEach: task.churnEach,
    minSize: s.objects.minSize,
    maxSize: s.objects.maxSize,
    hotObjects: readers.hotObjects,
    hotFraction: readers.hotFraction,
    sleepFraction: readers.sleepFraction,
    hold: readers.hold,
    timingSample: readers.timingSample,
    sparseFraction: s.migrators.sparseFraction,
    pause: task.role === 'reader' ? NO_PAUSE : s[`${task.role}s`].pause,
  };
}

const NO_PAUSE = { kind: 'fixed' as const, a: 0, b: 0 };

// locktorture-style write delay: spin (a writer must not sleep) before the write unlock.
function releaseDelay(task: RoleTask, rng: Rng): () => void {
  const role = task.role === 'migrator' ? task.scenario.migrators : task.scenario.compactors;
  const { releaseDelay: dist, releaseDelayFraction: fraction } = role;
  if (isZero(dist) || fraction === 0) return () => {};
  return () => {
    if (rng.float() >= fraction) return;
    const until = performance.now() + sampleNs(dist, rng) / 1e6;
    while (performance.now() < until) {
      /* udelay() */
    }
  };
}

/** Counts each violation in the arena's header and sends the first ones, with where the worker was. */
function violationSink(
  task: RoleTask,
  arena: Arena,
  { line, label, counters }: { line: number; label: string; counters: Float64Array },
  post: (m: WorkerMessage) => void,
): ViolationSink {
  const L = arena.layout;
  let sent = 0;
  return {
    report(kind: ViolationKind, message: string, zspage?: number, handle?: number) {
      RAW_ATOMICS.add(arena.mem, HDR.VIOLATIONS, 1); // may run inside a lock call (global-atomics)
      if (sent++ >= MAX_VIOLATION_MESSAGES) {
        counters[COUNTER.VIOLATIONS_DROPPED]!++;
        return;
      }
      const state = STATE_NAMES[RAW_ATOMICS.load(arena.mem, line + WRK.STATE)] ?? 'unknown';
      const recent = zspage !== undefined && zspage >= 0 && sent <= WITH_RECENT_OPS ? recentOps(arena.mem, L, task.labels, zspage) : null;
      post({
        type: 'violation',
        violation: {
          kind,
          message: `${message} (${label}, ${state})`,
          atMs: Date.now() - task.startEpochMs,
          by: label,
          ...(zspage !== undefined && zspage >= 0 ? { zspage } : {}),
          ...(handle !== undefined && handle >= 0 ? { handle } : {}),
          ...(recent ? { recent } : {}),
        },
      });
    },
  };
}

/** `record`: keep the flight recorder (off only to measure what it costs). */
export function createRoleContext(task: RoleTask, design: LockDesign, record = true): RoleContext {
  const arena = attachArena(task.memory, task.params);
  const L = arena.layout;
  const label = roleLabel(task.role, task.roleIndex);
  const line = L.workers + task.workerIndex * L.workerWords;
  const counters = new Float64Array(arena.sab, (L.workerCounters + (task.workerIndex * L.workerWords) / 2) * 8, WORKER_COUNTERS);
  const held = new HeldState(arena.mem, line);
  // The coordinator reads a stuck worker's CPU time by its thread id.
  arena.mem[line + WRK.TID] = ThreadCpu.ownTid();
  const post = (m: WorkerMessage) => task.port.postMessage(m);
  const sink = violationSink(task, arena, { line, label, counters }, post);
  const cpu = newCpu();
  const coverage = counters.subarray(COUNTER.COVERAGE, COUNTER.COVERAGE + COVERAGE_WORDS);
  const probe = new ProbeAtomics(cpu, arena.mem, sink, coverage);
  if (task.scenario.lockdep) {
    const labels = ROLES.flatMap((r) => Array.from({ length: task.scenario[`${r}s`].count }, (_, i) => roleLabel(r, i)));
    const lockdep = new Lockdep(arena.mem, L, task.workerIndex, (w) => labels[w] ?? `worker ${w}`, sink, cpu);
    cpu.locks = lockdep;
    probe.lockdep = lockdep;
  }
  const noise = task.role === 'reader' || task.role === 'churner' ? createNoise(task.scenario, task.seed, task.workerIndex) : null;
  if (noise) probe.beforeOp = noise.beforeOp;
  const lock = createRouted(design, probe);
  const metrics = new Metrics();
  const rng = new Rng(task.seed, task.workerIndex);
  const writer = task.role === 'migrator' || task.role === 'compactor';
  const timing: WriterTiming | null = writer
    ? {
        trylock(ns, ok) {
          metrics.record(METRIC['writer-trylock'], ns);
          counters[ok ? COUNTER.TRYLOCK_OK : COUNTER.TRYLOCK_FAIL]!++;
        },
        writeSection(ns) {
          metrics.record(METRIC['writer-section'], ns);
        },
        beforeRelease: releaseDelay(task, rng),
      }
    : null;
  const table = buildClassTable(task.params.pageSize, task.params.chainSize);
  const core = new ShadowCore(arena.memory, L, task.workerIndex, record);
  const hooks = new ShadowHooks(arena.mem, core, sink, probe, timing, coverage);
  const zs = createZs(arena, table, lock, cpu, hooks, task.scenario.kernel);
  zs.coverage = coverage;
  held.set(STATE.IDLE, -1);
  return {
    plan: modelPlan(task),
    task,
    label,
    zs,
    mem: arena.mem,
    progress: arena.mem,
    progressAt: line + WRK.PROGRESS,
    rng,
    metrics,
    counters,
    line,
    held,
    shadow: hooks,
    sink,
    noise,
    post,
  };
}
