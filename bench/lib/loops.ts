// The loops a crew worker runs, built in the worker from its spec. Each returns
// how many operations it did before the arena's stop word was set.
import { MessageChannel } from 'node:worker_threads';
import { attachArena, type Arena } from '../../src/arena/arena.js';
import { HDR } from '../../src/arena/layout.js';
// The crew worker installs the router as the global Atomics: the loops' own atomics bypass it.
import { ATOMICS_ROUTER, createRouted, RAW_ATOMICS as Atomics } from '../../src/invariants/global-atomics.js';
import { ProbeAtomics } from '../../src/invariants/probe-atomics.js';
import { newCpu } from '../../src/model/kernel-locks.js';
import type { ViolationSink } from '../../src/invariants/violation.js';
import type { LockAtomics, LockDesign } from '../../src/locks/contract.js';
import { CATALOG } from '../../src/locks/catalog.js';
import { loadLockDesign, lockSpecFor } from '../../src/locks/registry.js';
import { newMapping, zsObjReadBegin, zsObjReadEnd } from '../../src/model/map.js';
import { handleToObj, NO_HOOKS } from '../../src/model/zs.js';
import { createRoleContext } from '../../src/pools/model-context.js';
import { ModelOps } from '../../src/pools/model-ops.js';
import { COUNTER } from '../../src/roles/counters.js';
import { finishLoop, runLoop } from '../../src/roles/loop.js';
import { readerStep } from '../../src/roles/reader.js';
import { Rng } from '../../src/rng.js';
import type { RoleTask } from '../../src/roles/task.js';
import type { LoopName } from './control.js';
import type { CrewSpec, CrewWorkerData } from './spec.js';

export type Loops = Partial<Record<LoopName, () => number>>;

/** Iterations between two looks at the stop word in the micro loops. */
const BATCH = 256;

const failing: ViolationSink = {
  report(kind, message) {
    throw new Error(`benchmark saw a violation: ${kind}: ${message}`);
  },
};

export async function buildLoops(data: CrewWorkerData): Promise<Loops> {
  const arena = attachArena(data.memory, data.params);
  const { spec } = data;
  switch (spec.kind) {
    case 'floor':
      return floorLoops(arena, lockAt(arena, spec.zspages[data.index]!));
    case 'lock':
      return lockLoops(arena, spec, spec.zspages[data.index]!, await benchDesign(spec.lock));
    case 'bare-reader':
      return bareReaderLoops(arena, spec, data.index);
    case 'harness-reader':
    case 'map':
      return roleLoops(data, spec);
  }
}

const lockAt = (a: Arena, z: number) => a.layout.zspages + z * a.layout.zspageWords + a.layout.lockAt;
const shadowAt = (a: Arena, z: number) => a.layout.zspages + z * a.layout.zspageWords + a.layout.shadowAt;

function floorLoops({ mem }: Arena, at: number): Loops {
  return {
    // CAS + sub; a failed CAS (another thread moved the count) retries from what it saw.
    read() {
      let ops = 0;
      while (Atomics.load(mem, HDR.STOP) === 0) {
        for (let i = 0; i < BATCH; i++) {
          for (let old = 0; ; ) {
            const seen = Atomics.compareExchange(mem, at, old, old + 1);
            if (seen === old) break;
            old = seen;
          }
          Atomics.sub(mem, at, 1);
        }
        ops += BATCH;
      }
      return ops;
    },
    // CAS + store; with two threads a failed CAS counts as a trylock that failed.
    write() {
      let ops = 0;
      while (Atomics.load(mem, HDR.STOP) === 0) {
        for (let i = 0; i < BATCH; i++) {
          if (Atomics.compareExchange(mem, at, 0, -1) === 0) Atomics.store(mem, at, 0);
        }
        ops += BATCH;
      }
      return ops;
    },
  };
}

// Every role's lock gets a ProbeAtomics (src/pools/model-context.ts); a writer's trylock
// runs watched, as the shadow hooks watch it (src/invariants/shadow.ts).
/** A built-in by name, or a lock file (a C lock, say) by path. */
async function benchDesign(lock: string): Promise<LockDesign> {
  return Object.hasOwn(CATALOG, lock) ? CATALOG[lock]!.design : loadLockDesign(lockSpecFor(lock));
}

function lockLoops(arena: Arena, spec: Extract<CrewSpec, { kind: 'lock' }>, z: number, design: LockDesign): Loops {
  const { mem } = arena;
  const at = lockAt(arena, z);
  const probe = new ProbeAtomics(newCpu(), mem, failing);
  const lock =
    spec.atomics === 'raw'
      ? design.create(Atomics)
      : spec.atomics === 'reader-unrouted'
        ? design.create(probe)
        : spec.atomics === 'reader-global'
          ? createRouted({ ...design, create: () => design.create(ATOMICS_ROUTER as unknown as LockAtomics) }, probe)
          : createRouted(design, probe);
  const shadow = shadowAt(arena, z);
  const counted = spec.atomics === 'writer';
  return {
    read() {
      let ops = 0;
      while (Atomics.load(mem, HDR.STOP) === 0) {
        for (let i = 0; i < BATCH; i++) {
          lock.readLock(mem, at);
          lock.readUnlock(mem, at);
        }
        ops += BATCH;
      }
      return ops;
    },
    write() {
      let ops = 0;
      while (Atomics.load(mem, HDR.STOP) === 0) {
        for (let i = 0; i < BATCH; i++) {
          if (counted) probe.watchCall(true, z, shadow);
          const ok = lock.writeTrylock(mem, at);
          if (counted) probe.unwatchCall();
          if (ok) lock.writeUnlock(mem, at);
        }
        ops += BATCH;
      }
      return ops;
    },
  };
}

function bareReaderLoops(arena: Arena, spec: Extract<CrewSpec, { kind: 'bare-reader' }>, index: number): Loops {
  const { mem } = arena;
  const lock = CATALOG[spec.lock]!.design.create(Atomics);
  const rng = new Rng(spec.seed, index);
  return {
    cycle() {
      let ops = 0;
      while (Atomics.load(mem, HDR.STOP) === 0) {
        const at = lockAt(arena, rng.below(spec.span));
        lock.readLock(mem, at);
        lock.readUnlock(mem, at);
        ops++;
      }
      return ops;
    },
  };
}

// The real role context (ProbeAtomics, shadow hooks, metrics) over the shared arena.
function roleLoops(data: CrewWorkerData, spec: Extract<CrewSpec, { kind: 'harness-reader' | 'map' }>): Loops {
  const port = new MessageChannel().port1;
  port.unref();
  const design = CATALOG[spec.lock]!.design;
  const task = {
    memory: data.memory,
    params: data.params,
    lock: lockSpecFor(spec.lock),
    role: 'reader',
    roleIndex: data.index,
    workerIndex: data.index,
    labels: Array.from({ length: data.params.workers }, (_, i) => `reader#${i}`),
    seed: spec.seed,
    scenario: spec.scenario,
    stable: spec.stable,
    churnFirst: spec.stable,
    churnEach: 0,
    startEpochMs: Date.now(),
    port,
  } satisfies RoleTask;
  const ctx = createRoleContext(task, design, spec.kind !== 'harness-reader' || spec.flightRecorder !== false);
  if (spec.kind === 'harness-reader') {
    const ops = new ModelOps(ctx);
    const step = readerStep(ctx, ops);
    return {
      cycle() {
        const before = ctx.counters[COUNTER.OPS]!;
        finishLoop(ctx, ops, runLoop(ctx, ops, step));
        return ctx.counters[COUNTER.OPS]! - before;
      },
    };
  }
  const zs = spec.hooks === 'shadow' ? ctx.zs : { ...ctx.zs, hooks: NO_HOOKS };
  const { mem, rng } = ctx;
  const m = newMapping();
  return {
    cycle() {
      let ops = 0;
      while (Atomics.load(mem, HDR.STOP) === 0) {
        const h = rng.below(spec.stable);
        zsObjReadBegin(zs, h, m);
        if (handleToObj(zs, h) !== m.obj) throw new Error(`handle ${h} moved under the read lock`);
        zsObjReadEnd(zs, m);
        ops++;
      }
      return ops;
    },
  };
}
