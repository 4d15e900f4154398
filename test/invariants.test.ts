// Every invariant check fires on a deliberately broken lock or model.
import { describe, expect, it } from 'vitest';
import { CLS, HND, HOLDER, PG, SHADOW, STACK, WRK } from '../src/arena/layout.js';
import { StallWatchdog } from '../src/coordinator/watchdog.js';
import { auditPool } from '../src/invariants/audit.js';
import { HeldState, STATE } from '../src/invariants/held-state.js';
import { describeMismatch } from '../src/invariants/integrity.js';
import type { ViolationKind } from '../src/grading/vocabulary.js';
import { ProbeAtomics } from '../src/invariants/probe-atomics.js';
import { ShadowHooks } from '../src/invariants/shadow.js';
import { ShadowCore } from '../src/invariants/shadow-core.js';
import { ALONE_OPS } from '../src/invariants/spin-watch.js';
import { newMapping, zsObjReadBegin, zsObjReadEnd } from '../src/model/map.js';
import { contentSeed, poisonPage, verifyContent } from '../src/model/object.js';
import { SITE } from '../src/model/lock-sites.js';
import { newCpu } from '../src/model/kernel-locks.js';
import { zspageReadLock } from '../src/model/zspage-lock.js';
import { clsAt, handleToObj, hndAt, NO_HOOKS, objPfn, pgAt, zspLockAt, zspShadowAt, type Zs } from '../src/model/zs.js';
import { readerStep } from '../src/roles/reader.js';
import { modelPlan, type RoleContext } from '../src/pools/model-context.js';
import { ModelOps } from '../src/pools/model-ops.js';
import type { RoleTask } from '../src/roles/task.js';
import { Rng } from '../src/rng.js';
import { smallPool, smallScenario } from './helpers.js';

function recorder() {
  const seen: { kind: ViolationKind; message: string }[] = [];
  return { seen, sink: { report: (kind: ViolationKind, message: string) => void seen.push({ kind, message }) } };
}

function hooksFor(zs: Zs, worker = 0) {
  const { seen, sink } = recorder();
  const cpu = newCpu();
  const probe = new ProbeAtomics(cpu, zs.mem, sink);
  const hooks = new ShadowHooks(zs.mem, new ShadowCore(zs.memory, zs.L, worker), sink, probe, null);
  return { seen, hooks, probe, cpu };
}

describe('exclusion (shadow held-state)', () => {
  it('fires when a writer gets in with a reader inside', () => {
    const { zs } = smallPool();
    const { seen, hooks } = hooksFor(zs);
    hooks.readBegin(5);
    hooks.readAcquired(5);
    hooks.trylockBegin(5);
    hooks.trylockEnd(5, true);
    expect(seen.map((v) => v.kind)).toEqual(['exclusion']);
  });

  it('fires when a reader gets in with a writer inside, and when two writers do', () => {
    const { zs } = smallPool();
    const { seen, hooks } = hooksFor(zs);
    hooks.trylockBegin(5);
    hooks.trylockEnd(5, true);
    hooks.readBegin(5);
    hooks.readAcquired(5);
    hooks.trylockBegin(5);
    hooks.trylockEnd(5, true);
    expect(seen.map((v) => v.kind)).toEqual(['exclusion', 'exclusion']);
  });

  it('stays quiet for readers sharing and for a failed trylock', () => {
    const { zs } = smallPool();
    const { seen, hooks } = hooksFor(zs);
    hooks.readBegin(5);
    hooks.readAcquired(5);
    hooks.readBegin(5);
    hooks.readAcquired(5);
    hooks.trylockBegin(5);
    hooks.trylockEnd(5, false);
    hooks.readReleasing(5);
    hooks.readReleased(5);
    hooks.readReleasing(5);
    hooks.readReleased(5);
    hooks.trylockBegin(5);
    hooks.trylockEnd(5, true);
    hooks.writeReleasing(5);
    hooks.writeReleased(5);
    expect(seen).toEqual([]);
  });
});

describe('trylock-failed-free (a trylock that fails with nobody to fail on)', () => {
  it('fires when a writeTrylock fails while nobody holds the zspage and nobody else is in a lock operation there', () => {
    const { zs } = smallPool();
    const { seen, hooks } = hooksFor(zs);
    hooks.readBegin(5);
    hooks.readAcquired(5);
    hooks.readReleasing(5);
    hooks.readReleased(5);
    hooks.trylockBegin(5);
    hooks.trylockEnd(5, false);
    expect(seen.map((v) => v.kind)).toEqual(['trylock-failed-free']);
    expect(seen[0]!.message).toMatch(/zspage 5 failed while nobody held it/);
  });

  it('stays quiet while a holder is in, while another thread is in a lock operation, or entered one during the call', () => {
    const { zs } = smallPool();
    const a = hooksFor(zs, 0);
    const b = hooksFor(zs, 1);
    // a reader holds
    b.hooks.readBegin(5);
    b.hooks.readAcquired(5);
    a.hooks.trylockBegin(5);
    a.hooks.trylockEnd(5, false);
    // a reader is inside its readUnlock (its real release may not have happened yet)
    b.hooks.readReleasing(5);
    a.hooks.trylockBegin(5);
    a.hooks.trylockEnd(5, false);
    b.hooks.readReleased(5);
    // a reader came and went during the call
    a.hooks.trylockBegin(5);
    b.hooks.readBegin(5);
    b.hooks.readAcquired(5);
    b.hooks.readReleasing(5);
    b.hooks.readReleased(5);
    a.hooks.trylockEnd(5, false);
    expect([...a.seen, ...b.seen]).toEqual([]);
  });
});

describe('slept-in-atomic (probe atomics)', () => {
  it('fires on atomics.wait with preemption disabled, not otherwise', () => {
    const { zs } = smallPool();
    const { seen, probe, cpu } = hooksFor(zs);
    const word = new Int32Array(new SharedArrayBuffer(4));
    probe.wait(word, 0, 1, 1);
    expect(seen).toEqual([]);
    cpu.preemptCount = 1;
    probe.wait(word, 0, 1, 1);
    expect(seen.map((v) => v.kind)).toEqual(['slept-in-atomic']);
  });
});

describe('writer-waited and reader-waited (a lock call that spins alone)', () => {
  // Worker lines 0..2 stand for three threads; this thread plays each in turn, so that who is
  // inside which lock operation, and how many operations a call performs, are exact.
  const threads = (zs: Zs) => [0, 1, 2].map((w) => hooksFor(zs, w));
  /** `n` atomic operations of a lock call spinning on the zspage's lock word. */
  const spin = (probe: ProbeAtomics, zs: Zs, n: number, between?: () => void) => {
    for (let i = 0; i < n; i++) {
      probe.load(zs.mem, zspLockAt(zs, 5));
      if (between && i % 50 === 0) between();
    }
  };
  const readCycle = (t: ReturnType<typeof hooksFor>) => {
    t.hooks.readBegin(5);
    t.hooks.readAcquired(5);
    t.hooks.readReleasing(5);
    t.hooks.readReleased(5);
  };

  it('a writeTrylock spinning while a reader sleeps holding: writer-waited, however soon it gives up', () => {
    const { zs } = smallPool();
    const [reader, writer] = threads(zs);
    reader!.hooks.readBegin(5);
    reader!.hooks.readAcquired(5);
    reader!.hooks.sleeping(5, true);
    writer!.hooks.trylockBegin(5);
    spin(writer!.probe, zs, ALONE_OPS + 64);
    writer!.hooks.trylockEnd(5, false);
    expect(writer!.seen.map((v) => v.kind)).toEqual(['writer-waited']);
    expect(writer!.seen[0]!.message).toMatch(/^writeTrylock on zspage 5 spun \d+ atomic operations in one call with no other thread in a lock operation on the zspage.*while only sleeping readers \(1\) held it: it waits for sleeping readers$/);
  });

  it('stays quiet while another thread is in lock operations on the zspage, and for a short spin', () => {
    const { zs } = smallPool();
    const [reader, writer, other] = threads(zs);
    reader!.hooks.readBegin(5);
    reader!.hooks.readAcquired(5);
    reader!.hooks.sleeping(5, true);
    writer!.hooks.trylockBegin(5);
    // Another thread inside a lock operation the whole time (a 6.15 reader descheduled on the inner spinlock).
    other!.hooks.readBegin(5);
    spin(writer!.probe, zs, 4 * ALONE_OPS);
    other!.hooks.readAcquired(5);
    // Others coming and going all the time.
    spin(writer!.probe, zs, 4 * ALONE_OPS, () => readCycle(other!));
    writer!.hooks.trylockEnd(5, false);
    writer!.hooks.trylockBegin(5);
    spin(writer!.probe, zs, ALONE_OPS - 64);
    writer!.hooks.trylockEnd(5, false);
    expect(writer!.seen).toEqual([]);
  });

  it('judges each call on its own: two short alone spins stay quiet, and each call past the bound reports', () => {
    const { zs } = smallPool();
    const [reader, writer] = threads(zs);
    reader!.hooks.readBegin(5);
    reader!.hooks.readAcquired(5);
    reader!.hooks.sleeping(5, true);
    for (let call = 0; call < 2; call++) {
      writer!.hooks.trylockBegin(5);
      spin(writer!.probe, zs, ALONE_OPS - 64);
      writer!.hooks.trylockEnd(5, false);
    }
    expect(writer!.seen).toEqual([]);
    for (let call = 0; call < 2; call++) {
      writer!.hooks.trylockBegin(5);
      spin(writer!.probe, zs, ALONE_OPS + 64);
      writer!.hooks.trylockEnd(5, false);
    }
    expect(writer!.seen.map((v) => v.kind)).toEqual(['writer-waited', 'writer-waited']);
  });

  it('stays quiet for a trylock waiting out a reader that is awake (bounded: the old rwlock without sleepers)', () => {
    const { zs } = smallPool();
    const [reader, writer] = threads(zs);
    reader!.hooks.readBegin(5);
    reader!.hooks.readAcquired(5);
    writer!.hooks.trylockBegin(5);
    spin(writer!.probe, zs, 4 * ALONE_OPS);
    writer!.hooks.trylockEnd(5, false);
    expect(writer!.seen).toEqual([]);
  });

  it('a readLock spinning while only readers hold: reader-waited; while a writer holds: quiet', () => {
    const { zs } = smallPool();
    const [holder, reader] = threads(zs);
    holder!.hooks.readBegin(5);
    holder!.hooks.readAcquired(5);
    holder!.hooks.sleeping(5, true);
    reader!.hooks.readBegin(5);
    spin(reader!.probe, zs, ALONE_OPS + 64);
    expect(reader!.seen.map((v) => v.kind)).toEqual(['reader-waited']);
    expect(reader!.seen[0]!.message).toMatch(/^readLock on zspage 5 spun .* while only sleeping readers \(1\) held it: readers must be blocked only by writers$/);

    const { zs: zs2 } = smallPool();
    const [w2, r2] = threads(zs2);
    w2!.hooks.trylockBegin(5);
    w2!.hooks.trylockEnd(5, true);
    r2!.hooks.readBegin(5);
    spin(r2!.probe, zs2, 4 * ALONE_OPS);
    expect(r2!.seen).toEqual([]);
  });
});

describe('integrity', () => {
  it('a reader sees poison where its object was, once the page is freed under it', () => {
    const { zs } = smallPool();
    const m = newMapping();
    zsObjReadBegin(zs, 0, m);
    const seed = contentSeed(0, zs.mem[hndAt(zs, 0, HND.VERSION)]!);
    expect(verifyContent(zs.mem, m.seg, seed)).toBe(-1);
    poisonPage(zs, objPfn(zs, m.obj)); // what a migration under a broken lock leaves behind
    const bad = verifyContent(zs.mem, m.seg, seed);
    expect(bad).toBeGreaterThanOrEqual(0);
    expect(describeMismatch(zs, m, seed, bad)).toMatch(/poison/);
    zsObjReadEnd(zs, m);
  });

  it("a reader whose object's handle moves while it holds the read lock reports it", () => {
    const { zs } = smallPool();
    const { seen, sink } = recorder();
    const h = 0;
    const moved = handleToObj(zs, h) + 1;
    // The lock lets a migration in: the handle is rewritten as the read lock is taken.
    const hooks = { ...NO_HOOKS, readAcquired: () => void (zs.mem[hndAt(zs, h, HND.LOCATION)] = moved) };
    const task = { scenario: smallScenario({ readers: { count: 1, hold: '0' } }), role: 'reader', roleIndex: 0, stable: 1, churnFirst: 1, churnEach: 0, seed: 1, workerIndex: 0 } as RoleTask;
    const ctx = {
      task, plan: modelPlan(task), zs: { ...zs, hooks }, mem: zs.mem, rng: new Rng(1, 0), metrics: { record() {} }, counters: new Float64Array(64),
      held: new HeldState(zs.mem, zs.L.workers), sink, shadow: hooks, noise: null,
    } as unknown as RoleContext;
    readerStep(ctx, new ModelOps(ctx))();
    expect(seen.map((v) => v.message)).toContainEqual(expect.stringMatching(new RegExp(`handle ${h} moved from object \\d+ to ${moved}`)));
  });

  it('the audit finds an object whose bytes changed at rest', () => {
    const { zs, atomics } = smallPool();
    const m = newMapping();
    zsObjReadBegin(zs, 3, m);
    zsObjReadEnd(zs, m);
    zs.mem[m.seg.seg0 + 1]! ^= 1;
    const { seen, sink } = recorder();
    auditPool(zs, atomics, sink);
    expect(seen.map((v) => v.kind)).toEqual(['integrity']);
    expect(seen[0]!.message).toMatch(/handle 3/);
  });
});

describe('audit', () => {
  const auditOf = (zs: Zs, atomics: Parameters<typeof auditPool>[1]) => {
    const { seen, sink } = recorder();
    auditPool(zs, atomics, sink);
    return seen;
  };

  it('finds a read lock left held (a forgotten unlock)', () => {
    const { zs, atomics } = smallPool();
    const z = zs.mem[zs.L.pageDescs + objPfn(zs, handleToObj(zs, 0)) * 4]!;
    zspageReadLock(zs, z, SITE.lock_zspage);
    const seen = auditOf(zs, atomics);
    expect(seen.some((v) => v.kind === 'audit' && /lock is not free/.test(v.message))).toBe(true);
  });

  it('finds a write trylock that never returns on an idle lock', () => {
    const { zs, atomics } = smallPool();
    const spinning = { ...zs.lock, writeTrylock: (mem: Int32Array, at: number) => { while (atomics.load(mem, at) === 0) {} return true; } };
    zs.lock = spinning;
    const seen = auditOf(zs, atomics);
    expect(seen.some((v) => /did not return/.test(v.message))).toBe(true);
  });

  it('finds class counts that do not add up, a leaked page, a page both free and in use, shadow left inside', () => {
    const cases: [string, (zs: Zs) => void, RegExp][] = [
      ['inuse count', (zs) => void zs.mem[clsAt(zs, 0, CLS.OBJS_INUSE)]!++, /ZS_OBJS_INUSE/],
      ['leaked page', (zs) => void zs.mem[zs.L.pageAlloc + STACK.TOP]!--, /leaked/],
      [
        'free and in use',
        (zs) => {
          const pfn = objPfn(zs, handleToObj(zs, 0));
          zs.mem[zs.L.freePages + zs.mem[zs.L.pageAlloc + STACK.TOP]!++] = pfn;
        },
        /also free|on the free list|has owner/,
      ],
      ['shadow', (zs) => void (zs.mem[zspShadowAt(zs, zs.mem[pgAt(zs, objPfn(zs, handleToObj(zs, 0)), PG.OWNER)]!) + SHADOW.HOLDERS]! += HOLDER.READER), /shadow says/],
    ];
    for (const [, corrupt, pattern] of cases) {
      const { zs, atomics } = smallPool();
      expect(auditOf(zs, atomics)).toEqual([]);
      corrupt(zs);
      const seen = auditOf(zs, atomics);
      expect(seen.some((v) => v.kind === 'audit' && pattern.test(v.message))).toBe(true);
    }
  });
});

describe('stall watchdog', () => {
  it('reports a worker whose progress stops, with who holds what', () => {
    const { zs } = smallPool();
    const dog = new StallWatchdog(zs, ['reader#0'], 100);
    const line = zs.L.workers;
    new HeldState(zs.mem, line).set(STATE.READ_LOCKING, 7);
    expect(dog.check(0)).toBeNull();
    Atomics.add(zs.mem, line + WRK.PROGRESS, 1);
    expect(dog.check(50)).toBeNull();
    expect(dog.check(120)).toBeNull(); // progress moved at 50
    const report = dog.check(200);
    expect(report).toMatch(/reader#0 made no progress/);
    expect(report).toMatch(/zspage 7 \(lock words \[/);
  });

  it('leaves parked workers alone', () => {
    const { zs } = smallPool();
    const dog = new StallWatchdog(zs, ['reader#0'], 100);
    new HeldState(zs.mem, zs.L.workers).set(STATE.PARKED, -1);
    expect(dog.check(0)).toBeNull();
    expect(dog.check(1000)).toBeNull();
  });
});
