// KASAN on the kernel's own zsmalloc.c, where the shim can tell cheaply: a handle that no
// longer decodes to a page (a pfn outside mem_map[]), a lock taken inside a freed slab
// object or page. Each is `memory-safety` with the stack of kernel functions, and ends
// the operation; the unmutated pool never reports one (zsmalloc-kernel, -stress tests).
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileZsmalloc, type ZsmallocCompileOptions } from '../src/zsmalloc/compile.js';
import { kernelLayout } from '../src/zsmalloc/layout.js';
import { KernelBug, KernelPool } from '../src/zsmalloc/runtime.js';
import { runKernelStress } from '../src/coordinator/kernel-stress.js';
import { ROOT } from './helpers.js';

const MAINLINE = join(ROOT, 'test/fixtures/kernel/mainline');

async function bootPool(tree: string, opts: ZsmallocCompileOptions = {}) {
  const compiled = await compileZsmalloc(tree, opts);
  const L = kernelLayout(1024, 2);
  const memory = new WebAssembly.Memory({ initial: L.totalBytes / 65536, maximum: L.totalBytes / 65536, shared: true });
  const reports: { kind: string; message: string }[] = [];
  const pool = new KernelPool(new WebAssembly.Module(compiled.wasm as BufferSource), memory, L, 0, { report: (kind, message) => reports.push({ kind, message }) });
  pool.boot();
  pool.x.zsh_cpu_up();
  return { pool, reports };
}

function mutated(from: string, to: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'zsmalloc-'));
  cpSync(MAINLINE, dir, { recursive: true });
  const file = join(dir, 'mm/zsmalloc.c');
  const src = readFileSync(file, 'utf8');
  expect(src).toContain(from);
  writeFileSync(file, src.replace(from, to));
  return dir;
}

function store(pool: KernelPool, len: number): number {
  const h = pool.x.zsh_malloc(len, pool.scratch);
  pool.x.zsh_fill(pool.scratch + 16, len, h);
  pool.x.zsh_write(h, pool.scratch + 16, len);
  return h;
}

describe('KASAN on the kernel pool', () => {
  it('zs_free() reading the handle after cache_free_handle(): the poisoned handle decodes to no page', async () => {
    const tree = mutated(
      '\tread_lock(&pool->lock);\n\tobj = handle_to_obj(handle);\n\tobj_to_zpdesc(obj, &f_zpdesc);',
      '\tcache_free_handle(handle);\n\tread_lock(&pool->lock);\n\tobj = handle_to_obj(handle);\n\tobj_to_zpdesc(obj, &f_zpdesc);',
    );
    // the check always built in (with kasanFull the read itself is caught first, below)
    const { pool, reports } = await bootPool(tree, { kasanFull: false });
    const h = store(pool, 100);
    expect(() => pool.call(() => pool.x.zsh_free(h))).toThrow(KernelBug);
    expect(reports.map((r) => r.kind)).toEqual(['memory-safety']);
    expect(reports[0]!.message).toMatch(/^BUG: KASAN: wild-memory-access in \w+\(\): pfn 0x6b6b\w+ is outside mem_map\[\]/);
    expect(reports[0]!.message).toMatch(/stack:\n[\s\S]*\bzs_free\n\s+zsh_free/);
  }, 120_000);

  it('a zspage lock taken after free_zspage(): a slab use after free in the zspage object', async () => {
    const tree = mutated(
      'if (fullness == ZS_INUSE_RATIO_0)\n\t\tfree_zspage(pool, class, zspage);\n',
      'if (fullness == ZS_INUSE_RATIO_0) {\n\t\tfree_zspage(pool, class, zspage);\n\t\tzspage_read_lock(zspage);\n\t}\n',
    );
    const { pool, reports } = await bootPool(tree);
    const h = store(pool, 100);
    expect(() => pool.call(() => pool.x.zsh_free(h))).toThrow(KernelBug);
    expect(reports.map((r) => r.kind)).toEqual(['memory-safety']);
    expect(reports[0]!.message).toMatch(/^BUG: KASAN: slab-use-after-free in zspage_read_lock\(\): address 0x\w+ is inside a freed slab object/);
    expect(reports[0]!.message).toMatch(/stack:\n[\s\S]*\bzs_free\n/);
  }, 120_000);

  it('a page mapped after free_zspage() gave it back: a use after free of the page', async () => {
    const tree = mutated(
      'if (fullness == ZS_INUSE_RATIO_0)\n\t\tfree_zspage(pool, class, zspage);\n',
      'if (fullness == ZS_INUSE_RATIO_0) {\n\t\tfree_zspage(pool, class, zspage);\n\t\tkunmap_local(kmap_local_zpdesc(f_zpdesc));\n\t}\n',
    );
    const { pool, reports } = await bootPool(tree);
    const h = store(pool, 100);
    expect(() => pool.call(() => pool.x.zsh_free(h))).toThrow(KernelBug);
    expect(reports.map((r) => r.kind)).toEqual(['memory-safety']);
    expect(reports[0]!.message).toMatch(/^BUG: KASAN: use-after-free in kmap_local_zpdesc\(\): page pfn 0x\w+ is free \(PG_free\)/);
    expect(reports[0]!.message).toMatch(/stack:\n[\s\S]*\bzs_free\n/);
  }, 120_000);

  describe('every plain access checked (kasanFull, the default)', () => {
    const HANDLE_READ_AFTER_FREE = [
      '\tspin_unlock(&class->lock);\n\tcache_free_handle(handle);\n}',
      '\tspin_unlock(&class->lock);\n\tcache_free_handle(handle);\n\tif (handle_to_obj(handle) == 0)\n\t\tpr_info("zero");\n}',
    ] as const;

    it('zs_free() reading the handle after cache_free_handle(): the read itself is caught', async () => {
      const { pool, reports } = await bootPool(mutated(...HANDLE_READ_AFTER_FREE));
      const h = store(pool, 100);
      expect(() => pool.call(() => pool.x.zsh_free(h))).toThrow(KernelBug);
      expect(reports.map((r) => r.kind)).toEqual(['memory-safety']);
      expect(reports[0]!.message).toMatch(/^BUG: KASAN: slab-use-after-free in zs_free\(\): read at 0x\w+, inside a freed slab object/);
    }, 120_000);

    it('without it, the same read of poison goes unseen (it is used as no pointer)', async () => {
      const { pool, reports } = await bootPool(mutated(...HANDLE_READ_AFTER_FREE), { kasanFull: false });
      pool.call(() => pool.x.zsh_free(store(pool, 100)));
      expect(reports).toEqual([]);
    }, 120_000);

    it('mainline runs clean on threads, every access checked', async () => {
      const r = await runKernelStress({
        zsmalloc: MAINLINE,
        durationMs: 2_000,
        seed: 3,
        pages: 4096,
        roles: { reader: 1, churner: 1, compactor: 1, migrator: 1 },
        config: { stable: 300, churnEach: 200, minSize: 32, maxSize: 3000, sleepFraction: 0.2, hotObjects: 0, hotFraction: 0, targetedMigrations: 0.5 },
        hold: { kind: 'fixed', a: 1_000_000, b: 1_000_000 },
      });
      expect(r.violations).toEqual([]);
      expect(r.audited).toBeGreaterThan(0);
      expect(r.compiled.hash).not.toBe((await compileZsmalloc(MAINLINE, { kasanFull: false })).hash);
    }, 120_000);
  });
});
