// The kernel's own mm/zsmalloc.c (the mainline snapshot and Linux 6.12), compiled
// unchanged and run as the pool on one CPU: the zsmalloc API end to end, the class table
// against the model's, migration, compaction, deferred free, fault injection and the
// checks that must fire.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildClassTable } from '../src/model/size-class.js';
import { compileZsmalloc } from '../src/zsmalloc/compile.js';
import { KernelBug, KernelPool } from '../src/zsmalloc/runtime.js';
import { ROOT } from './helpers.js';
import { bootPool as bootKernelPool } from './zsmalloc-mutations.js';

const TREES = { mainline: join(ROOT, 'test/fixtures/kernel/mainline'), '6.12': join(ROOT, 'test/fixtures/kernel/6.12') };
const PAGES = 2048;

const bootPool = (tree: string) => bootKernelPool(tree, PAGES);

/** A tree like `tree` with `edit` applied to its zsmalloc.c. */
function mutated(tree: string, edit: (src: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'zsmalloc-'));
  cpSync(tree, dir, { recursive: true });
  const file = join(dir, 'mm/zsmalloc.c');
  const before = readFileSync(file, 'utf8');
  const after = edit(before);
  expect(after).not.toBe(before);
  writeFileSync(file, after);
  return dir;
}

/** zram's use: store `n` objects, each seeded by its handle, and read each back. */
function storeAndCheck(pool: KernelPool, n: number, sizeOf: (i: number) => number) {
  const err = pool.scratch;
  const buf = pool.scratch + 16;
  const objs: { h: number; len: number }[] = [];
  for (let i = 0; i < n; i++) {
    const len = sizeOf(i);
    const h = pool.x.zsh_malloc(len, err);
    expect(h, `zs_malloc(${len}) failed with ${pool.mem[err >> 2]}`).not.toBe(0);
    pool.x.zsh_fill(buf, len, h);
    pool.x.zsh_write(h, buf, len);
    objs.push({ h, len });
  }
  return objs;
}

function verifyAll(pool: KernelPool, objs: { h: number; len: number }[]) {
  const local = pool.scratch + 16;
  let bad = 0;
  for (const { h, len } of objs) {
    const addr = pool.x.zsh_read_begin(h, len, local);
    if (pool.x.zsh_check(addr, len, h) >= 0) bad++;
    pool.x.zsh_read_end(h, len, addr);
  }
  return bad;
}

function audit(pool: KernelPool) {
  const out = pool.scratch;
  const walked = pool.x.zsh_audit(out);
  return { walked, detail: Array.from(pool.mem.subarray(out >> 2, (out >> 2) + 5)) };
}

describe.each(Object.entries(TREES))('the kernel pool, %s', (version, tree) => {
  it('compiles unchanged, and a second build comes from the cache', async () => {
    const first = await compileZsmalloc(tree);
    const again = await compileZsmalloc(tree);
    expect(again.cached).toBe(true);
    expect(again.hash).toBe(first.hash);
    expect(first.api.readBegin).toBe(version === 'mainline');
    expect(first.api.mallocNid).toBe(version === 'mainline');
    expect(first.api.createPoolArgs).toBe(version === 'mainline' ? 4 : 1);
  }, 60_000);

  it('has the class table the model builds (sizes, pages and objects per zspage, merged classes)', async () => {
    const { pool } = await bootPool(tree);
    const model = buildClassTable(4096, 8);
    const out = pool.scratch;
    const kernel = new Map<number, number[]>();
    for (let i = 0; i < pool.x.zsh_classes(); i++) {
      pool.x.zsh_class_info(i, out);
      const [index, size, pages, objs] = Array.from(pool.mem.subarray(out >> 2, (out >> 2) + 4));
      kernel.set(index!, [size!, pages!, objs!]);
      expect(model.classes[model.idOfIndex[i]!]!.index, `size index ${i} merges into the same class`).toBe(index);
    }
    expect(kernel.size).toBe(model.classes.length);
    for (const c of model.classes) expect(kernel.get(c.index), `class ${c.index}`).toEqual([c.size, c.pagesPerZspage, c.objsPerZspage]);
  }, 60_000);

  it('stores, reads, frees, compacts and migrates objects, every byte intact and the audit clean', async () => {
    const { pool, reports } = await bootPool(tree);
    const objs = storeAndCheck(pool, 600, (i) => 20 + ((i * 977) % 3000));
    expect(verifyAll(pool, objs)).toBe(0);
    expect(audit(pool).walked).toBeGreaterThan(0);
    // free every other object: compaction has zspages to empty
    const kept = objs.filter((o, i) => (i % 2 === 0 ? (pool.x.zsh_free(o.h), false) : true));
    const before = pool.x.zsh_total_pages();
    const freed = pool.x.zsh_compact();
    expect(freed).toBeGreaterThan(0);
    expect(pool.x.zsh_total_pages()).toBe(before - freed);
    expect(verifyAll(pool, kept)).toBe(0);
    // migrate every page zsmalloc holds
    const rc = pool.scratch;
    let migrated = 0;
    for (let pfn = pool.L.frames / 4096; pfn < pool.L.frames / 4096 + PAGES; pfn++) {
      if (pool.x.zsh_migrate(pfn, rc) === 0) migrated++;
    }
    expect(migrated).toBeGreaterThan(10);
    expect(verifyAll(pool, kept)).toBe(0);
    pool.x.zsh_run_work();
    expect(audit(pool).walked).toBeGreaterThan(0);
    for (const o of kept) pool.x.zsh_free(o.h);
    pool.x.zsh_compact();
    pool.x.zsh_run_work();
    expect(audit(pool).walked).toBe(0);
    expect(pool.x.zsh_total_pages()).toBe(0);
    expect(reports).toEqual([]);
    expect(pool.preempt).toBe(0);
  }, 60_000);

  it('survives failing allocations (failslab, fail_page_alloc): every failure is an error, never a crash', async () => {
    const { pool, reports } = await bootPool(tree);
    pool.x.zsh_fail_every(3, 4);
    const err = pool.scratch;
    const buf = pool.scratch + 16;
    const objs: { h: number; len: number }[] = [];
    let failed = 0;
    for (let i = 0; i < 400; i++) {
      const len = 100 + ((i * 131) % 2000);
      const h = pool.x.zsh_malloc(len, err);
      if (h === 0) {
        expect(pool.mem[err >> 2]).toBe(-12); // -ENOMEM
        failed++;
        continue;
      }
      pool.x.zsh_fill(buf, len, h);
      pool.x.zsh_write(h, buf, len);
      objs.push({ h, len });
    }
    expect(failed).toBeGreaterThan(0);
    pool.x.zsh_fail_every(0, 0);
    expect(verifyAll(pool, objs)).toBe(0);
    expect(audit(pool).walked).toBeGreaterThan(0);
    expect(reports).toEqual([]);
  }, 60_000);
});

describe('the kernel pool checks fire on a broken zsmalloc.c', () => {
  it('a double free of a handle is a BUG (KASAN invalid-free) that ends the operation, naming file and line', async () => {
    const tree = mutated(TREES.mainline, (src) => src.replace('\tspin_unlock(&class->lock);\n\tcache_free_handle(handle);\n}', '\tspin_unlock(&class->lock);\n\tcache_free_handle(handle);\n\tcache_free_handle(handle);\n}'));
    const { pool, reports } = await bootPool(tree);
    const [o] = storeAndCheck(pool, 1, () => 100);
    expect(() => pool.call(() => pool.x.zsh_free(o!.h))).toThrow(KernelBug);
    expect(reports).toHaveLength(1);
    expect(reports[0]!.kind).toBe('warn');
    expect(reports[0]!.message).toMatch(/^BUG_ON at harness\.c:\d+ /);
  }, 60_000);

  it('the audit finds a fullness group its statistics do not count', async () => {
    const tree = mutated(TREES['6.12'], (src) => src.replace(/(static void insert_zspage[\s\S]*?)class_stat_add\(class, fullness, 1\);/, '$1class_stat_add(class, fullness, 0);'));
    const { pool } = await bootPool(tree);
    storeAndCheck(pool, 10, () => 100);
    const { walked, detail } = audit(pool);
    expect(walked).toBe(-1);
    expect(detail[2]).toBe(5); // ZSH_AUDIT_GROUP_COUNT
    expect(detail[3]).toBe(1);
    expect(detail[4]).toBe(0);
  }, 60_000);
});
