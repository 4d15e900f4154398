// A worker's view of the run: the pool model, its random stream, metrics, counters,
// held state and violation sink.
import { attachArena } from '../arena/arena.js';
import { HDR, WORKER_COUNTERS, WRK } from '../arena/layout.js';
import { ThreadCpu } from '../invariants/thread-cpu.js';
import { FlightRecorder, recentOps } from '../invariants/flight-recorder.js';
import { HeldState, STATE, STATE_NAMES } from '../invariants/held-state.js';
import type { ViolationKind } from '../invariants/kinds.js';
import { ProbeAtomics } from '../invariants/probe-atomics.js';
import { ShadowHooks, type WriterTiming } from '../invariants/shadow.js';
import type { ViolationSink } from '../invariants/violation.js';
import type { LockDesign } from '../locks/contract.js';
import type { Cpu } from '../model/kernel-locks.js';
import { buildClassTable } from '../model/size-class.js';
import { createZs, type Zs } from '../model/zs.js';
import { COUNTER } from './counters.js';
import { isZero, sampleNs } from './dist.js';
import { METRIC, Metrics } from './metrics.js';
import { Rng } from '../rng.js';
import { roleLabel, type RoleTask, type WorkerMessage } from './task.js';

/** Messages beyond this many per worker are counted, not sent. */
const MAX_VIOLATION_MESSAGES = 50;
/** The first this many messages per worker carry the flight recorder's view of their zspage. */
const WITH_RECENT_OPS = 3;

export interface RoleContext {
  task: RoleTask;
  label: string;
  zs: Zs;
  mem: Int32Array;
  rng: Rng;
  metrics: Metrics;
  counters: Float64Array;
  /** Int32 index of this worker's line. */
  line: number;
  held: HeldState;
  shadow: ShadowHooks;
  sink: ViolationSink;
  post(message: WorkerMessage): void;
}

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

export function createRoleContext(task: RoleTask, design: LockDesign): RoleContext {
  const arena = attachArena(task.sab, task.params);
  const L = arena.layout;
  const label = roleLabel(task.role, task.roleIndex);
  const line = L.workers + task.workerIndex * L.workerWords;
  const counters = new Float64Array(task.sab, (L.workerCounters + (task.workerIndex * L.workerWords) / 2) * 8, WORKER_COUNTERS);
  const held = new HeldState(arena.mem, line);
  // The coordinator reads a stuck worker's CPU time by its thread id.
  arena.mem[line + WRK.TID] = ThreadCpu.ownTid();
  const post = (m: WorkerMessage) => task.port.postMessage(m);
  let sent = 0;
  const sink: ViolationSink = {
    report(kind: ViolationKind, message: string, zspage?: number, handle?: number) {
      Atomics.add(arena.mem, HDR.VIOLATIONS, 1);
      if (sent++ >= MAX_VIOLATION_MESSAGES) {
        counters[COUNTER.VIOLATIONS_DROPPED]!++;
        return;
      }
      const state = STATE_NAMES[Atomics.load(arena.mem, line + WRK.STATE)] ?? 'unknown';
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
  const cpu: Cpu = { preemptCount: 0 };
  const probe = new ProbeAtomics(cpu, arena.mem, sink);
  const lock = design.create(probe);
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
  const shadowOf = (z: number) => L.zspages + z * L.zspageWords + L.shadowAt;
  const lockOf = (z: number) => L.zspages + z * L.zspageWords + L.lockAt;
  const flight = new FlightRecorder(arena.mem, L, task.workerIndex);
  const hooks = new ShadowHooks(arena.mem, shadowOf, lockOf, sink, probe, held, flight, timing);
  const zs = createZs(arena, table, lock, cpu, hooks);
  held.set(STATE.IDLE, -1);
  return {
    task,
    label,
    zs,
    mem: arena.mem,
    rng,
    metrics,
    counters,
    line,
    held,
    shadow: hooks,
    sink,
    post,
  };
}
