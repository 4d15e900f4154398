// Every place that calls lock code gives each operation the context its kernel callers give
// it (src/locks/calling-context.ts): role workers (the model), the explorer, the audit, the
// probe. A lock that asserts its documented context passes; one that asserts a context the
// kernel does not give (lock_zspage() takes the read lock preemptible) fails, naming that caller.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PG, ZSP } from '../src/arena/layout.js';
import { explore, loadExplorerLock } from '../src/explorer/index.js';
import { Run } from '../src/explorer/sim.js';
import { boundedLockCheck } from '../src/invariants/audit.js';
import { RAW_ATOMICS } from '../src/invariants/global-atomics.js';
import { callAs, LOCK_CALLERS, withPreemptCount, type LockOpName } from '../src/locks/calling-context.js';
import type { LockDesign } from '../src/locks/contract.js';
import { probeLockModule } from '../src/locks/probe.js';
import { allocPage, asyncFreeZspages, freePage, zsFree } from '../src/model/alloc.js';
import { newCompactStats, zsCanCompact, zsCompactClass } from '../src/model/compact.js';
import { LOCK_SITES } from '../src/model/lock-sites.js';
import { newMapping, zsObjReadBegin, zsObjReadEnd } from '../src/model/map.js';
import { MIGRATE_OK, zsPageMigrate } from '../src/model/migrate.js';
import { handleToObj, objPfn, pageOwner, pgAt, zspAt, type Zs } from '../src/model/zs.js';
import { cli, ROOT, smallPool } from './helpers.js';

const FIXTURES = join(ROOT, 'test/fixtures');
const ASSERTING = join(FIXTURES, 'context-asserting-lock.mjs');

/** A correct one-word lock that records, per operation, preempt_count on entry; `atWord1` also stores it in word 1 first. */
function recordingLock(seen: { op: LockOpName; count: number }[], atWord1 = false): LockDesign {
  return {
    name: 'recording',
    words: atWord1 ? 2 : 1,
    create(a) {
      const note = (op: LockOpName, mem: Int32Array, at: number) => {
        const count = a.preempt!(0);
        seen.push({ op, count });
        if (atWord1) a.store(mem, at + 1, count);
      };
      return {
        init: (m, at) => (note('init', m, at), void a.store(m, at, 0)),
        readLock(m, at) {
          note('readLock', m, at);
          for (;;) {
            const v = a.load(m, at);
            if (v >= 0 && a.compareExchange(m, at, v, v + 1) === v) return;
          }
        },
        readUnlock: (m, at) => (note('readUnlock', m, at), void a.sub(m, at, 1)),
        writeTrylock: (m, at) => (note('writeTrylock', m, at), a.compareExchange(m, at, 0, -1) === 0),
        writeUnlock: (m, at) => (note('writeUnlock', m, at), void a.store(m, at, 0)),
      };
    },
  };
}

/** The count the table gives `op` called from kernel function `fn` (an op with one context: that one). */
function written(op: LockOpName, fn: string): number | undefined {
  const exact = LOCK_CALLERS[op].find((c) => c.fn === fn);
  if (exact) return exact.preemptCount;
  const counts = new Set(LOCK_CALLERS[op].map((c) => c.preemptCount));
  return counts.size === 1 ? [...counts][0] : undefined;
}

describe('the written calling context', () => {
  it('is what the kernel callers hold (mm/zsmalloc.c)', () => {
    const table = Object.fromEntries(Object.entries(LOCK_CALLERS).map(([op, cs]) => [op, cs.map((c) => `${c.fn} ${c.preemptCount}`)]));
    expect(table).toEqual({
      init: ['alloc_zspage 0'],
      readLock: ['zs_obj_read_begin 1', 'lock_zspage 0'],
      readUnlock: ['zs_obj_read_end 0'],
      writeTrylock: ['zs_page_migrate 2', '__zs_compact 2'],
      writeUnlock: ['zs_page_migrate 0', '__zs_compact 2'],
    });
  });

  it("the fixtures' assertions fire when an operation is called outside its context", async () => {
    for (const file of ['context-asserting-lock.mjs', 'first-caller-context-lock.mjs']) {
      const design = await loadExplorerLock(join(FIXTURES, file));
      const cpu = { preemptCount: 0 };
      const ops = design.create(withPreemptCount(RAW_ATOMICS, cpu));
      const mem = new Int32Array(new SharedArrayBuffer(8));
      expect(() => ops.writeTrylock(mem, 0)).toThrow(/writeTrylock called with preempt_count 0/);
      expect(callAs(cpu, 'writeTrylock', () => ops.writeTrylock(mem, 0))).toBe(true);
      expect(cpu.preemptCount).toBe(0);
    }
  });
});

describe('each caller gives the written context', () => {
  it('the model the role workers run: every operation from every kernel function, exactly', () => {
    const seen: { op: LockOpName; count: number }[] = [];
    const { zs } = smallPool(recordingLock(seen));
    const calls: { op: LockOpName; count: number; fn: string }[] = [];
    const drain = () => {
      for (const s of seen.splice(0)) calls.push({ ...s, fn: s.op === 'init' ? 'alloc_zspage' : LOCK_SITES[zs.cpu.lockCaller]! });
    };
    seen.length = 0;
    const m = newMapping();
    zsObjReadBegin(zs, 0, m);
    drain();
    zsObjReadEnd(zs, m);
    drain();
    churnMigrateCompactFree(zs, drain);
    const wrong = calls.filter((c) => written(c.op, c.fn) !== c.count);
    expect(wrong).toEqual([]);
    const where = new Set(calls.map((c) => `${c.op}@${c.fn}`));
    for (const w of ['readLock@zs_obj_read_begin', 'readLock@lock_zspage', 'readUnlock@zs_obj_read_end', 'writeTrylock@zs_page_migrate',
      'writeTrylock@__zs_compact', 'writeUnlock@zs_page_migrate', 'writeUnlock@__zs_compact']) {
      expect(where).toContain(w);
    }
    expect(zs.cpu.preemptCount).toBe(0);
  });

  it('the role workers, end to end (every role, setup included)', () => {
    const r = cli(['run', '--scenario', 'selftest', '--lock', ASSERTING, '--duration', '3', '--seed', '3']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.summary().violationCount).toBe(0);
  });

  it('the explorer: each call as the caller its trace names, exactly', () => {
    const seen: { op: LockOpName; count: number }[] = [];
    const run = new Run(recordingLock(seen, true), ['RWRW', 'WRWR', 'RRWW'], true);
    let i = 0;
    run.run((pool) => pool[i++ % pool.length]);
    expect(run.failure).toBeNull();
    const firsts = run.trace.filter((s) => s.caller !== undefined);
    expect(firsts.length).toBeGreaterThan(12);
    for (const s of firsts) {
      // a call's first step is its store of preempt_count, named with its caller
      expect(s.op).toBe('store');
      const fn = s.caller!.split(',')[0]!;
      expect({ call: s.call, fn, count: s.args[0] }).toEqual({ call: s.call, fn, count: written(s.call, fn) });
    }
    expect(new Set(firsts.map((s) => s.caller))).toContain('lock_zspage, preemptible');
    expect(new Set(firsts.map((s) => s.caller))).toContain('__zs_compact, holding pool->lock (write), class->lock');
  });

  it('the explorer with a lock asserting its context, SC and weak', async () => {
    const design = await loadExplorerLock(ASSERTING);
    for (const memory of ['sc', 'weak'] as const) {
      const r = await explore(design, { threads: 3, ops: 4, strategy: 'random', depth: 2, iterations: 300, seed: 1, memory });
      expect(r.failure).toBeNull();
    }
  });

  it('the audit (in this thread and in its worker: one function), as its first callers', () => {
    const seen: { op: LockOpName; count: number }[] = [];
    const { zs, atomics } = smallPool(recordingLock(seen));
    const check = boundedLockCheck(zs, atomics);
    let checked = 0;
    for (let z = 0; z < zs.L.maxZspages; z++) {
      if (zs.mem[zspAt(zs, z, ZSP.CLASS)]! < 0) continue;
      seen.length = 0;
      expect(check(z)).toBeNull();
      expect(seen).toEqual([
        { op: 'writeTrylock', count: LOCK_CALLERS.writeTrylock[0].preemptCount },
        { op: 'writeUnlock', count: LOCK_CALLERS.writeUnlock[0].preemptCount },
      ]);
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('the probe, as the first callers', async () => {
    await expect(probeLockModule(join(FIXTURES, 'first-caller-context-lock.mjs'))).resolves.toBeUndefined();
  });
});

/** Frees most objects (lock_zspage on the way), migrates pages and compacts every class. */
function churnMigrateCompactFree(zs: Zs, drain: () => void): void {
  // a zspage freed while a migrator holds one of its pages is left to async_free_zspage()
  const z = pageOwner(zs, objPfn(zs, handleToObj(zs, 1)));
  const page = pgAt(zs, zs.mem[zspAt(zs, z, ZSP.PAGES)]!, PG.LOCK);
  zs.mem[page] = 1;
  for (let h = 0; h < zs.L.params.handles; h += 1) if (handleToObj(zs, h) >= 0 && pageOwner(zs, objPfn(zs, handleToObj(zs, h))) === z) zsFree(zs, h);
  zs.mem[page] = 0;
  for (let h = 0; h < zs.L.params.handles; h += 1) if (handleToObj(zs, h) >= 0 && h % 5 !== 0) zsFree(zs, h);
  drain();
  let migrated = 0;
  for (let pfn = 0; pfn < zs.L.params.pages && migrated < 40; pfn++) {
    if (pageOwner(zs, pfn) < 0) continue;
    const to = allocPage(zs);
    const r = zsPageMigrate(zs, pfn, to);
    freePage(zs, r === MIGRATE_OK ? pfn : to);
    if (r === MIGRATE_OK) migrated++;
    drain();
  }
  const stats = newCompactStats();
  for (let c = 0; c < zs.table.classes.length; c++) {
    if (zsCanCompact(zs, c) > 0) zsCompactClass(zs, c, stats);
    drain();
  }
  asyncFreeZspages(zs);
  drain();
}

describe('the seed and locks that assert their context', () => {
  const C = join(FIXTURES, 'c');

  it('the explorer traces the caller a call models, and a WARN names it', async () => {
    const design = await loadExplorerLock(join(C, 'asserts-atomic-reader.c'));
    const r = await explore(design, { threads: 2, ops: 4, strategy: 'random', depth: 2, iterations: 2000, seed: 1 });
    expect(r.failure?.rule).toBe('warn');
    expect(r.failure?.message).toMatch(/readLock from lock_zspage, preemptible: WARN_ON_ONCE at .*asserts-atomic-reader\.c:23$/);
    expect(r.failure?.trace.some((s) => s.caller === 'lock_zspage, preemptible')).toBe(true);
  });

  it('a read lock asserting atomic context fails a stress run, naming lock_zspage', () => {
    const r = cli(['run', '--scenario', 'selftest', '--lock', join(C, 'asserts-atomic-reader.c'), '--duration', '20', '--seed', '1']);
    expect(r.code).toBe(1);
    const warns = (r.summary().violations as { kind: string; message: string }[]).filter((v) => v.kind === 'warn');
    expect(warns[0]?.message).toMatch(/in zspage_read_lock called from lock_zspage \(preempt_count 0\)/);
  });

  it("the seed's v5 with its loop corrected, WARN_ON_ONCE(preemptible()) kept, passes check", () => {
    const r = cli(['check', '--lock', join(C, 'seed-v5-loop-fixed.c'), '--budget', '6', '--seed', '1'], { out: false });
    expect(r.stdout).toMatch(/PASS/);
    expect(r.code).toBe(0);
  });

  it('so does a lock asserting !preemptible() in its write trylock and write unlock', () => {
    const r = cli(['check', '--lock', join(C, 'asserts-atomic-writer.c'), '--budget', '6', '--seed', '1'], { out: false });
    expect(r.code).toBe(0);
  });

  it("the seed's v5 as posted still fails, first with exclusion", () => {
    const r = cli(['check', '--lock', join(C, 'seed-v5-posted.c'), '--budget', '6', '--seed', '1', '--fail-fast'], { out: false });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL exclusion in explore/);
  });
});
