// Edits of the kernel's zsmalloc.c for the tests: each applied to a temporary copy of a
// fixture tree (test/fixtures/kernel), which stays as the kernel has it. The known zspage
// lock changes are the product's (src/zsmalloc/mutations.ts), as `selftest --zsmalloc` makes them.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileZsmalloc, readZsmallocTree } from '../src/zsmalloc/compile.js';
import { applyEdits, MUTATIONS, writeTree } from '../src/zsmalloc/mutations.js';
import type { KernelStressOptions } from '../src/coordinator/kernel-stress.js';
import { kernelLayout } from '../src/zsmalloc/layout.js';
import { KernelPool } from '../src/zsmalloc/runtime.js';
import { ROOT } from './helpers.js';

export const TREES = { mainline: join(ROOT, 'test/fixtures/kernel/mainline'), '6.12': join(ROOT, 'test/fixtures/kernel/6.12') };

/** A tree like `tree` with `edit` applied to its zsmalloc.c (each replacement must match). */
export function mutated(tree: string, edits: [from: string | RegExp, to: string][]): string {
  const dir = mkdtempSync(join(tmpdir(), 'zsmalloc-'));
  cpSync(tree, dir, { recursive: true });
  const file = join(dir, 'mm/zsmalloc.c');
  let src = readFileSync(file, 'utf8');
  for (const [from, to] of edits) {
    const after = src.replace(from, to);
    if (after === src) throw new Error(`the edit ${String(from).slice(0, 80)} does not apply`);
    src = after;
  }
  writeFileSync(file, src);
  return dir;
}

/** `tree` with a known zspage lock change (MUTATIONS) applied, in a tree of its own. */
export function mutant(tree: string, name: string): string {
  const src = readZsmallocTree(tree);
  const edited = applyEdits(src.source, MUTATIONS.find((m) => m.name === name)!.edits);
  if ('skipped' in edited) throw new Error(`${name}: ${edited.skipped}`);
  return writeTree(mkdtempSync(join(tmpdir(), 'zsmalloc-')), edited.source, src);
}

/** Mainline with its zspage lock (struct zspage_lock, 6.15+) replaced by v5's as posted. */
export const mainlineWithV5 = () => mutant(TREES.mainline, 'v5-lock-as-posted');

/** The upstream fixes reverted, as patches a user would apply to a tree (test/fixtures/kernel/reverts). */
export const REVERTS = join(ROOT, 'test/fixtures/kernel/reverts');

/**
 * A copy of the `version` fixture tree with `patch` (a unified diff of mm/zsmalloc.c, in
 * REVERTS) applied, as `patch -p1` would: each hunk's old lines must be in the file as they are.
 */
export function reverted(version: keyof typeof TREES, patch: string): string {
  const text = readFileSync(join(REVERTS, patch), 'utf8');
  const hunks = text.split(/^@@ [^\n]*@@\n/m).slice(1);
  if (hunks.length === 0) throw new Error(`${patch}: no hunk`);
  return mutated(
    TREES[version],
    hunks.map((hunk): [string, string] => {
      const lines = hunk.replace(/\n$/, '').split('\n');
      const side = (keep: string) => `${lines.filter((l) => l[0] === ' ' || l[0] === keep).map((l) => l.slice(1)).join('\n')}\n`;
      return [side('-'), side('+')];
    }),
  );
}

/** A 5 s stress of `zsmalloc` on the kernel pool: two readers, a churner, a compactor, a migrator; `patch` and `config` override. */
export const stressOptions = (zsmalloc: string, patch: Partial<KernelStressOptions> = {}, config: Partial<KernelStressOptions['config']> = {}): KernelStressOptions => ({
  zsmalloc,
  durationMs: 5_000,
  seed: 7,
  pages: 4096,
  roles: { reader: 2, churner: 1, compactor: 1, migrator: 1 },
  hold: { kind: 'fixed', a: 1_000_000, b: 1_000_000 },
  ...patch,
  config: { stable: 60, churnEach: 200, minSize: 32, maxSize: 3000, sleepFraction: 0.2, hotObjects: 0, hotFraction: 0, targetedMigrations: 0, ...config },
});

/** `tree`'s zsmalloc.c compiled and booted on CPU 0 of an arena of `pages` pages and two CPUs; its reports collected. */
export async function bootPool(tree: string, pages = 2048) {
  const compiled = await compileZsmalloc(tree);
  const L = kernelLayout(pages, 2);
  const memory = new WebAssembly.Memory({ initial: L.totalBytes / 65536, maximum: L.totalBytes / 65536, shared: true });
  const reports: { kind: string; message: string }[] = [];
  const pool = new KernelPool(new WebAssembly.Module(compiled.wasm as BufferSource), memory, L, 0, { report: (kind, message) => reports.push({ kind, message }) });
  pool.boot();
  pool.x.zsh_cpu_up();
  return { compiled, pool, reports, L };
}
