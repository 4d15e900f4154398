// Our model against the kernel's own zsmalloc.c: the same single-threaded sequence of
// zs_malloc(), zs_free() and zs_compact() through src/model/ and through the kernel's file
// (6.12 and the mainline snapshot). After every step each class's statistics must agree:
// zspages per fullness group, objects allocated and in use; a compaction must free as many
// pages in both and move the same objects. A migration of an object's page moves the same
// objects in both.
//
// The kernel's file is built for wasm32, where unsigned long (a handle, ZS_HANDLE_SIZE) is 4
// bytes; the model is a 64-bit kernel's, with 8. zs_malloc() adds the handle's size before it
// picks a class, so the kernel pool is given each object 4 bytes longer (KERNEL_EXTRA).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLS, HND, NR_FULLNESS_GROUPS, PG } from '../src/arena/layout.js';
import { allocPage, asyncFreeZspages, freePage, zsFree, zsMalloc } from '../src/model/alloc.js';
import { newCompactStats, zsCompactClass } from '../src/model/compact.js';
import { pageTrylock, pageUnlock } from '../src/model/kernel-locks.js';
import { SITE } from '../src/model/lock-sites.js';
import { MIGRATE_OK, zsPageMigrate } from '../src/model/migrate.js';
import { clsAt, handleToObj, hndAt, objPfn, pgAt, type Zs } from '../src/model/zs.js';
import { compileZsmalloc } from '../src/zsmalloc/compile.js';
import { kernelLayout } from '../src/zsmalloc/layout.js';
import { KernelPool } from '../src/zsmalloc/runtime.js';
import { Rng } from '../src/rng.js';
import { ROOT, smallPool } from './helpers.js';
import zspageSpinlock from '../src/locks/zspage-spinlock.js';

const SLOTS = 1500;
const STEPS = 4000;
/** ZS_HANDLE_SIZE on 64 bits (the model) less on wasm32 (the kernel's build). */
const KERNEL_EXTRA = 8 - 4;

async function kernelPool(version: string) {
  const compiled = await compileZsmalloc(join(ROOT, 'test/fixtures/kernel', version));
  const L = kernelLayout(4096, 1);
  const memory = new WebAssembly.Memory({ initial: L.totalBytes / 65536, maximum: L.totalBytes / 65536, shared: true });
  const pool = new KernelPool(new WebAssembly.Module(compiled.wasm as unknown as ArrayBuffer), memory, L, 0, {
    report: (kind, message) => {
      throw new Error(`${kind}: ${message}`);
    },
  });
  pool.boot();
  pool.x.zsh_cpu_up();
  return pool;
}

/** Every class's statistics, by the kernel's size index. */
function kernelStats(pool: KernelPool): Map<number, number[]> {
  const out = pool.scratch;
  const stats = new Map<number, number[]>();
  for (let i = 0; i < pool.x.zsh_classes(); i++) {
    if (pool.x.zsh_class_stats(i, out)) stats.set(i, Array.from(pool.mem.subarray(out >> 2, (out >> 2) + NR_FULLNESS_GROUPS + 2)));
  }
  return stats;
}

function modelStats(zs: Zs): Map<number, number[]> {
  const stats = new Map<number, number[]>();
  zs.table.classes.forEach((c, id) => {
    const word = (k: number) => zs.mem[clsAt(zs, id, k)]!;
    stats.set(c.index, [...Array.from({ length: NR_FULLNESS_GROUPS }, (_, fg) => word(CLS.FULLNESS_COUNT + fg)), word(CLS.OBJS_ALLOCATED), word(CLS.OBJS_INUSE)]);
  });
  return stats;
}

/**
 * Where each live object is: the model's handle's location, and the kernel's handle's word
 * (obj_to_location(): its page and index); an object moved when its own changed.
 */
function locations(zs: Zs, pool: KernelPool, handles: Int32Array): [Map<number, number>, Map<number, number>] {
  const model = new Map<number, number>();
  const kernel = new Map<number, number>();
  handles.forEach((h, slot) => {
    if (h === 0) return;
    model.set(slot, zs.mem[hndAt(zs, slot, HND.LOCATION)]!);
    kernel.set(slot, pool.mem[h >> 2]!);
  });
  return [model, kernel];
}

/** The kernel's pool and the model's, each holding the object the model's setup stored in slot 0; handles by slot. */
async function bothPools(version: string) {
  const pool = await kernelPool(version);
  const { zs } = smallPool(zspageSpinlock, 1, {
    arena: { size: '16MiB' },
    objects: { stable: 1, churn: SLOTS, minSize: 16, maxSize: 4000 },
    churners: { count: 0 },
  });
  const handles = new Int32Array(SLOTS + 1);
  handles[0] = pool.x.zsh_malloc(zs.mem[hndAt(zs, 0, HND.SIZE)]! + KERNEL_EXTRA, pool.scratch);
  return { pool, zs, handles };
}

describe.each(['mainline', '6.12'])('the model against the kernel\'s zsmalloc.c (%s)', (version) => {
  it('agrees on every class\'s fullness groups and counts after every malloc, free and compaction', async () => {
    const { pool, zs, handles } = await bothPools(version);
    const err = pool.scratch;
    const rng = new Rng(5, 0);
    let compactions = 0;
    let objectsMoved = 0;
    for (let step = 0; step < STEPS; step++) {
      const slot = 1 + rng.below(SLOTS);
      const r = rng.below(100);
      let what: string;
      if (r < 2) {
        // zs_compact(): every class from the largest down, then the deferred free
        const before = locations(zs, pool, handles);
        const stats = newCompactStats();
        for (let c = zs.table.classes.length - 1; c >= 0; c--) zsCompactClass(zs, c, stats);
        asyncFreeZspages(zs);
        const kernelFreed = pool.x.zsh_compact();
        pool.x.zsh_run_work();
        what = 'zs_compact()';
        compactions++;
        const modelFreed = stats.zspagesFreed;
        const after = locations(zs, pool, handles);
        const moved = (i: 0 | 1) => [...before[i].keys()].filter((slot) => before[i].get(slot) !== after[i].get(slot));
        expect(moved(1), `step ${step}: the objects compaction moved`).toEqual(moved(0));
        objectsMoved += moved(0).length;
        expect(kernelFreed > 0, `step ${step}: compaction freed pages in one pool only`).toBe(modelFreed > 0);
      } else if (handles[slot] === 0) {
        const size = 16 + rng.below(4000 - 16);
        expect(zsMalloc(zs, slot, size)).toBe(true);
        handles[slot] = pool.x.zsh_malloc(size + KERNEL_EXTRA, err);
        expect(handles[slot]).not.toBe(0);
        what = `zs_malloc(${size})`;
      } else {
        zsFree(zs, slot);
        pool.x.zsh_free(handles[slot]!);
        handles[slot] = 0;
        what = 'zs_free()';
      }
      expect(modelStats(zs), `step ${step}: ${what}`).toEqual(kernelStats(pool));
    }
    expect(compactions).toBeGreaterThan(20);
    expect(objectsMoved).toBeGreaterThan(100);
    expect(Array.from(handles).filter((h, s) => (h !== 0) !== handleToObj(zs, s) >= 0)).toEqual([]);
  }, 120_000);

  it('agrees on what a migration of an object\'s page does: the objects that move, and every class\'s counts', async () => {
    const { pool, zs, handles } = await bothPools(version);
    const rng = new Rng(7, 0);
    for (let slot = 1; slot <= SLOTS; slot++) {
      const size = 16 + rng.below(4000 - 16);
      expect(zsMalloc(zs, slot, size)).toBe(true);
      handles[slot] = pool.x.zsh_malloc(size + KERNEL_EXTRA, pool.scratch);
    }
    let objectsMoved = 0;
    for (let step = 0; step < 300; step++) {
      const slot = 1 + rng.below(SLOTS);
      if (step % 3 === 0 && handles[slot] !== 0) {
        zsFree(zs, slot);
        pool.x.zsh_free(handles[slot]!);
        pool.x.zsh_run_work();
        handles[slot] = 0;
        continue;
      }
      if (handles[slot] === 0) continue;
      const before = locations(zs, pool, handles);
      // the MM core: both pages locked around zs_page_migrate(), the page that did not move in freed
      const pfn = objPfn(zs, handleToObj(zs, slot));
      const newPfn = allocPage(zs);
      expect(pageTrylock(zs.cpu, zs.mem, pgAt(zs, pfn, PG.LOCK), SITE.migrate_pages)).toBe(true);
      expect(pageTrylock(zs.cpu, zs.mem, pgAt(zs, newPfn, PG.LOCK), SITE.migrate_pages)).toBe(true);
      const modelResult = zsPageMigrate(zs, pfn, newPfn);
      pageUnlock(zs.cpu, zs.mem, pgAt(zs, newPfn, PG.LOCK), SITE.migrate_pages);
      pageUnlock(zs.cpu, zs.mem, pgAt(zs, pfn, PG.LOCK), SITE.migrate_pages);
      freePage(zs, modelResult === MIGRATE_OK ? pfn : newPfn);
      const kernelResult = pool.x.zsh_migrate(pool.x.zsh_handle_pfn(handles[slot]!), pool.scratch);
      expect([modelResult, kernelResult], `step ${step}: both migrations succeed`).toEqual([MIGRATE_OK, 0]);
      const after = locations(zs, pool, handles);
      const moved = (i: 0 | 1) => [...before[i].keys()].filter((s) => before[i].get(s) !== after[i].get(s));
      // the objects that start in the page, the migrated object among them
      expect(moved(1), `step ${step}: the objects the migration moved`).toEqual(moved(0));
      expect(moved(0)).toContain(slot);
      objectsMoved += moved(0).length;
      expect(modelStats(zs), `step ${step}: after the migration`).toEqual(kernelStats(pool));
    }
    expect(objectsMoved).toBeGreaterThan(150);
  }, 120_000);
});
