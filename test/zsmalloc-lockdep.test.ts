// Lockdep on the kernel's own zsmalloc.c (src/zsmalloc/lockdep.ts): the lock order the
// kernel keeps (page lock -> pool lock -> class lock -> zspage lock) is what it records;
// mainline and 6.12 run clean on threads; an inverted order in a mutated copy is reported
// with both stacks, by kernel function.
import { describe, expect, it } from 'vitest';
import { lockdepGraph } from '../src/zsmalloc/lockdep.js';
import type { KernelPool } from '../src/zsmalloc/runtime.js';
import { runKernelStress, type KernelStressOptions } from '../src/coordinator/kernel-stress.js';
import { TREES, bootPool as bootKernelPool, mutated } from './zsmalloc-mutations.js';

const PAGES = 2048;

async function bootPool(tree: string) {
  const { pool, reports, L } = await bootKernelPool(tree, PAGES);
  return { pool, reports, graph: () => lockdepGraph(pool.mem, pool.bytes, L.lockdep) };
}


/** Stores `n` objects, frees every other one, migrates every page: each path that takes locks. */
function exercise(pool: KernelPool, n: number) {
  const err = pool.scratch;
  const buf = pool.scratch + 16;
  const handles = [];
  for (let i = 0; i < n; i++) {
    const len = 20 + ((i * 977) % 3000);
    const h = pool.x.zsh_malloc(len, err);
    pool.x.zsh_fill(buf, len, h);
    pool.x.zsh_write(h, buf, len);
    const addr = pool.x.zsh_read_begin(h, len, buf);
    pool.x.zsh_read_end(h, len, addr);
    handles.push(h);
  }
  handles.forEach((h, i) => i % 2 === 0 && pool.call(() => pool.x.zsh_free(h)));
  const base = pool.L.frames / 4096;
  for (let pfn = base; pfn < base + PAGES; pfn++) pool.call(() => pool.x.zsh_migrate(pfn, pool.scratch));
  pool.call(() => pool.x.zsh_compact());
  pool.call(() => pool.x.zsh_run_work());
}

const options = (zsmalloc: string): KernelStressOptions => ({
  zsmalloc,
  durationMs: 2_000,
  seed: 5,
  pages: 4096,
  roles: { reader: 1, churner: 1, compactor: 1, migrator: 1 },
  config: { stable: 300, churnEach: 200, minSize: 32, maxSize: 3000, sleepFraction: 0, hotObjects: 0, hotFraction: 0, targetedMigrations: 0.5 },
  hold: { kind: 'fixed', a: 1_000_000, b: 1_000_000 },
});

describe('lockdep on the kernel pool', () => {
  it('mainline: records page lock -> pool lock -> class lock -> zspage lock, and nothing against it', async () => {
    const { pool, reports, graph } = await bootPool(TREES.mainline);
    exercise(pool, 400);
    expect(reports).toEqual([]);
    const g = graph();
    expect(g).toEqual(expect.arrayContaining(['page lock -> &pool->lock', '&pool->lock -> &class->lock', '&class->lock -> &zsl->lock', '&pool->lock -> zspage->lock']));
    expect(pool.lockdep!.held).toBe(0);
  }, 120_000);

  it('6.12: records the migrate_lock, class lock and rwlock_t zspage lock order, and nothing against it', async () => {
    const { pool, reports, graph } = await bootPool(TREES['6.12']);
    exercise(pool, 400);
    expect(reports).toEqual([]);
    expect(graph()).toEqual(expect.arrayContaining(['page lock -> &pool->migrate_lock', '&pool->migrate_lock -> &class->lock', '&pool->migrate_lock -> &zspage->lock']));
  }, 120_000);

  it('zs_page_migrate() taking the class lock before the pool lock: a cycle, with both stacks by kernel function', async () => {
    const tree = mutated(TREES.mainline, [['\twrite_lock(&pool->lock);\n\tclass = zspage_class(pool, zspage);\n\n\t/*\n\t * the class lock protects zpage alloc/free in the zspage.\n\t */\n\tspin_lock(&class->lock);\n', '\tclass = zspage_class(pool, zspage);\n\tspin_lock(&class->lock);\n\twrite_lock(&pool->lock);\n']]);
    const { pool, reports } = await bootPool(tree);
    exercise(pool, 200);
    expect(reports.map((r) => r.kind)).toEqual(['lock-order']);
    const m = reports[0]!.message;
    expect(m).toMatch(/^possible circular locking dependency detected: CPU 0 is trying to acquire &pool->lock at zs_page_migrate\(\) but already holds &class->lock taken at zs_page_migrate\(\)/);
    // the stack that made the other order (zs_free(): pool lock, then class lock) and this one
    const [older, ours] = m.split(/\nCPU 0, taking /);
    expect(older).toMatch(/-> #1 &class->lock taken while holding &pool->lock[\s\S]*stack:\n\s+zs_free\n/);
    expect(ours).toMatch(/stack:\n\s+zs_page_migrate\n[\s\S]*zsh_migrate/);
  }, 120_000);

  it('6.12: a reader sleeping holding its mapping holds a spinning lock (the rwlock_t zspage lock)', async () => {
    const { pool, reports } = await bootPool(TREES['6.12']);
    const h = pool.x.zsh_malloc(100, pool.scratch);
    const addr = pool.x.zsh_read_begin(h, 100, pool.scratch + 16);
    pool.sleepHolding(1);
    pool.x.zsh_read_end(h, 100, addr);
    expect(reports.map((r) => r.kind)).toEqual(['slept-in-atomic', 'lock-order']);
    expect(reports[1]!.message).toMatch(/^BUG: sleeping function called from invalid context: schedule\(\) on CPU 0 holding &zspage->lock, a spinning lock \(rwlock_t\), taken at migrate_read_lock\(\)/);
  }, 120_000);

  it('mainline: a reader may sleep holding its object (the zspage lock is not a spinning lock)', async () => {
    const { pool, reports } = await bootPool(TREES.mainline);
    const h = pool.x.zsh_malloc(100, pool.scratch);
    const addr = pool.x.zsh_read_begin(h, 100, pool.scratch + 16);
    expect(pool.lockdep!.held).toBe(1);
    pool.sleepHolding(1);
    pool.x.zsh_read_end(h, 100, addr);
    expect(reports).toEqual([]);
  }, 120_000);

  for (const version of ['mainline', '6.12'] as const) {
    it(`${version}: runs clean on threads (no lock-order report)`, async () => {
      const r = await runKernelStress(options(TREES[version]));
      expect(r.violations).toEqual([]);
      expect(r.audited).toBeGreaterThan(0);
    }, 60_000);
  }

  it('on threads: zs_page_migrate() with the class lock first is reported', async () => {
    const tree = mutated(TREES.mainline, [['\twrite_lock(&pool->lock);\n\tclass = zspage_class(pool, zspage);\n', '\tclass = zspage_class(pool, zspage);\n\tspin_lock(&class->lock);\n\twrite_lock(&pool->lock);\n\tspin_unlock(&class->lock);\n']]);
    const r = await runKernelStress({ ...options(tree), durationMs: 5_000 });
    expect(r.violations[0]?.kind).toBe('lock-order');
    expect(r.violations[0]?.message).toMatch(/zs_page_migrate/);
  }, 60_000);
});
