// Lockdep: lock-order cycles across threads, sleeping under a spinning lock and
// releasing a lock not held are reported, with the stacks; the model's own order is quiet.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLS, HND, LOCKDEP, ZSP } from '../src/arena/layout.js';
import type { PoolSetup } from '../src/coordinator/setup.js';
import type { ViolationKind } from '../src/grading/vocabulary.js';
import { Lockdep } from '../src/invariants/lockdep.js';
import { allocPage, freePage, objFree, zsFree } from '../src/model/alloc.js';
import { fixFullnessGroup } from '../src/model/fullness.js';
import { newCpu, poolReadLock, poolReadUnlock, spinLock, spinUnlock } from '../src/model/kernel-locks.js';
import { SITE } from '../src/model/lock-sites.js';
import { newMapping, zsObjReadBegin, zsObjReadEnd } from '../src/model/map.js';
import { MIGRATE_OK, zsPageMigrate } from '../src/model/migrate.js';
import { clsAt, createZs, handleToObj, hndAt, NO_HOOKS, objPfn, pageOwner, recordObj, zspAt, zspLockAt, type Zs } from '../src/model/zs.js';
import zspageSpinlock from '../src/locks/zspage-spinlock.js';
import { resolveRunConfig } from '../src/coordinator/config.js';
import { runStress } from '../src/coordinator/run.js';
import { ROOT, smallPool } from './helpers.js';

type Seen = { kind: ViolationKind; message: string }[];

/** Thread `worker`'s view of the pool, with its own lockdep (the graph is shared through the arena). */
function thread(setup: PoolSetup, worker: number, seen: Seen): { zs: Zs; lockdep: Lockdep } {
  const cpu = newCpu();
  const sink = { report: (kind: ViolationKind, message: string) => void seen.push({ kind, message }) };
  const lockdep = new Lockdep(setup.arena.mem, setup.arena.layout, worker, (w) => ['churner#0', 'migrator#0', 'reader#0'][w]!, sink, cpu);
  cpu.locks = lockdep;
  return { zs: createZs(setup.arena, setup.zs.table, setup.zs.lock, cpu, NO_HOOKS, setup.zs.kernel), lockdep };
}

// A mutation of zs_free(): the class lock first, then the pool read lock.
function zsFreeClassFirst(zs: Zs, h: number): void {
  const { mem, cpu } = zs;
  const obj = handleToObj(zs, h);
  const z = pageOwner(zs, objPfn(zs, obj));
  const c = mem[zspAt(zs, z, ZSP.CLASS)]!;
  spinLock(cpu, mem, clsAt(zs, c, CLS.LOCK), SITE.zs_free);
  poolReadLock(cpu, mem, zs.L.pool, SITE.zs_free);
  poolReadUnlock(cpu, mem, zs.L.pool, SITE.zs_free);
  mem[clsAt(zs, c, CLS.OBJS_INUSE)]!--;
  objFree(zs, c, obj);
  fixFullnessGroup(zs, c, z);
  spinUnlock(cpu, mem, clsAt(zs, c, CLS.LOCK), SITE.zs_free);
  recordObj(zs, h, -1);
}

function migrateOnce(zs: Zs, h: number): void {
  const pfn = objPfn(zs, handleToObj(zs, h));
  const to = allocPage(zs);
  expect(zsPageMigrate(zs, pfn, to)).toBe(MIGRATE_OK);
  freePage(zs, pfn);
}

describe('lockdep', () => {
  it('stays quiet on the model: migration, free, reads, compaction order', () => {
    const setup = smallPool();
    const seen: Seen = [];
    const a = thread(setup, 0, seen);
    const b = thread(setup, 1, seen);
    migrateOnce(b.zs, 3);
    zsFree(a.zs, 4);
    const m = newMapping();
    zsObjReadBegin(a.zs, 5, m);
    zsObjReadEnd(a.zs, m);
    expect(seen).toEqual([]);
    expect([a.lockdep.held, b.lockdep.held]).toEqual([0, 0]);
  });

  it('reports a zs_free() that takes the class lock before the pool lock, against migration, with both stacks', () => {
    const setup = smallPool();
    const seen: Seen = [];
    const churner = thread(setup, 0, seen);
    const migrator = thread(setup, 1, seen);
    migrateOnce(migrator.zs, 3); // pool -> class, no deadlock: the threads never overlap
    expect(seen).toEqual([]);
    zsFreeClassFirst(churner.zs, 4); // class -> pool closes the cycle
    expect(seen.map((v) => v.kind)).toEqual(['lock-order']);
    const msg = seen[0]!.message;
    expect(msg).toMatch(/^possible circular locking dependency detected: churner#0 is trying to acquire pool->lock \(read\) at zs_free\(\) but already holds class->lock/);
    expect(msg).toMatch(/churner#0's stack:\n  #0 class->lock of class \d+ at zs_free\(\)\n  #1 pool->lock \(read\) at zs_free\(\)  <- acquiring/);
    expect(msg).toMatch(/-> pool->lock -> class->lock, first by migrator#0:\n(  #\d page lock.*\n)*  #\d pool->lock at zs_page_migrate\(\)\n  #\d class->lock at zs_page_migrate\(\)/);
    // lockdep turns itself off after its first report, as the kernel's does
    zsFreeClassFirst(churner.zs, 6);
    expect(seen.length).toBe(1);
    expect(setup.zs.mem[setup.arena.layout.lockdep + LOCKDEP.OFF]).toBe(1);
  });

  it("reports a lock's own spinlocks taken in opposite orders by two threads (a C lock through the shim)", () => {
    const setup = smallPool(zspageSpinlock); // two lock words: two spinlock fields
    const seen: Seen = [];
    const a = thread(setup, 0, seen);
    const b = thread(setup, 2, seen);
    a.zs.cpu.lockOp = SITE.zspage_write_trylock;
    b.zs.cpu.lockOp = SITE.zspage_read_lock;
    const z = pageOwner(setup.zs, objPfn(setup.zs, handleToObj(setup.zs, 0)));
    const first = zspLockAt(setup.zs, z) * 4; // byte addresses, as a C lock's spinlock_t pointers are
    const second = first + 4;
    a.lockdep.spinLock(first);
    a.lockdep.spinLock(second);
    a.lockdep.spinUnlock(second);
    a.lockdep.spinUnlock(first);
    b.lockdep.spinLock(second);
    expect(seen).toEqual([]);
    b.lockdep.spinLock(first);
    expect(seen.map((v) => v.kind)).toEqual(['lock-order']);
    const msg = seen[0]!.message;
    expect(msg).toMatch(/reader#0 is trying to acquire spinlock_t at byte 0 of the zspage lock at zspage_read_lock\(\) but already holds spinlock_t at byte 4 of the zspage lock/);
    expect(msg).toMatch(/first by churner#0:\n  #0 spinlock_t at byte 0 of the zspage lock at zspage_write_trylock\(\)\n  #1 spinlock_t at byte 4 of the zspage lock at zspage_write_trylock\(\)/);
  });

  it('reports a sleep while holding a spinning lock, and allows one holding the zspage read lock', () => {
    const setup = smallPool();
    const seen: Seen = [];
    const { zs } = thread(setup, 2, seen);
    const m = newMapping();
    zsObjReadBegin(zs, 5, m);
    zs.cpu.locks.mightSleep(SITE.zram_read); // zram sleeping with the object mapped: allowed
    zsObjReadEnd(zs, m);
    expect(seen).toEqual([]);
    // a mutated read: the sleep comes before the pool read lock is dropped
    poolReadLock(zs.cpu, zs.mem, zs.L.pool, SITE.zs_obj_read_begin);
    zs.cpu.locks.mightSleep(SITE.zram_read);
    expect(seen.map((v) => v.kind)).toEqual(['lock-order']);
    expect(seen[0]!.message).toMatch(/^BUG: sleeping function called from invalid context at zram_read\(\): reader#0 holds pool->lock \(read\)/);
  });

  it('reports the release of a lock not held: zs_obj_read_end unlocking the zspage an object moved to', () => {
    const setup = smallPool();
    const seen: Seen = [];
    const { zs } = thread(setup, 2, seen);
    const m = newMapping();
    zsObjReadBegin(zs, 0, m);
    const other = [...Array(400).keys()].map((h) => handleToObj(zs, h)).find((o) => pageOwner(zs, objPfn(zs, o)) !== m.zspage)!;
    zs.mem[hndAt(zs, 0, HND.LOCATION)] = other; // as a broken lock lets compaction move it
    zs.lock.readLock(zs.mem, zspLockAt(zs, pageOwner(zs, objPfn(zs, other))));
    zsObjReadEnd(zs, m);
    expect(seen.map((v) => v.kind)).toEqual(['lock-order']);
    expect(seen[0]!.message).toMatch(/^WARNING: bad unlock balance detected! reader#0 is trying to release zspage->lock of zspage \d+ at zs_obj_read_end\(\) but does not hold it\nlocks held:\n  #0 zspage->lock of zspage \d+ \(read\) at zs_obj_read_begin\(\)/);
  });
});

describe('lockdep on a C lock', () => {
  it("reports a C lock's two spinlocks taken in opposite orders, through the kernel shim's spin_lock()", async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'zss-lockdep-')), 'run');
    const cfg = resolveRunConfig({ scenario: 'smoke', lock: join(ROOT, 'test/fixtures/c/abba-spinlocks.c'), seed: 3, duration: 10, out });
    const { summary, exitCode } = await runStress(cfg, () => {});
    expect(exitCode).toBe(1);
    expect(summary.violations[0]!.kind).toBe('lock-order');
    const msg = summary.violations[0]!.message;
    expect(msg).toMatch(/^possible circular locking dependency detected: \S+ is trying to acquire spinlock_t at byte [04] of the zspage lock at zspage_\w+\(\) but already holds spinlock_t at byte [04] of the zspage lock/);
    expect(msg).toMatch(/the existing dependency chain \(in reverse order\) is:\n-> spinlock_t at byte [04] of the zspage lock -> spinlock_t at byte [04] of the zspage lock, first by \S+:\n/);
  }, 180_000);
});
