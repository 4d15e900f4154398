// Edits of the kernel's zsmalloc.c for the tests: each applied to a temporary copy of a
// fixture tree (test/fixtures/kernel), which stays as the kernel has it.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/*
 * The zspage lock of v5 of "zsmalloc: replace rwlock with ... zspage lock" (Sergey
 * Senozhatsky, 12 Feb 2025), as posted in the patch the review (seed/zspage-lock-review.txt)
 * answers: one atomic_t, 0 unlocked, -1 write-locked, n > 0 readers. Its four lock
 * functions are the C lock fixture's (test/fixtures/c/seed-v5-posted.c); the init is v5's
 * with its lockdep map, and only the trylock's name is mainline's (zspage_try_write_lock
 * in v5, renamed in review).
 */
function v5Lock(): string {
  const posted = readFileSync(join(ROOT, 'test/fixtures/c/seed-v5-posted.c'), 'utf8');
  const functions = /static void zspage_read_lock\(struct zspage \*zspage\)\n\{[\s\S]*?\nstatic void zspage_write_unlock\(struct zspage \*zspage\)\n\{[\s\S]*?\n\}\n/.exec(posted)![0];
  const init = `static void zspage_lock_init(struct zspage *zspage)
{
#ifdef CONFIG_DEBUG_LOCK_ALLOC
	lockdep_init_map(&zspage->lockdep_map, "zsmalloc-page",
			 &zspage->pool->lockdep_key, 0);
#endif

	atomic_set(&zspage->lock, ZS_PAGE_UNLOCKED);
}

`;
  return `#define ZS_PAGE_UNLOCKED\t0\n#define ZS_PAGE_WRLOCKED\t-1\n\n${init}${functions.replace(/zspage_try_write_lock/g, 'zspage_write_trylock')}`;
}

/** Mainline with its zspage lock (struct zspage_lock, 6.15+) replaced by v5's. */
export const mainlineWithV5 = () =>
  mutated(TREES.mainline, [
    // v5's struct members: the atomic_t and its lockdep map, and the pool's lockdep key
    [/#define ZS_PAGE_UNLOCKED\t0\n#define ZS_PAGE_WRLOCKED\t-1\n\nstruct zspage_lock \{[^}]*\};\n/, ''],
    ['\tstruct zspage_lock zsl;\n};', '\tatomic_t lock;\n\n#ifdef CONFIG_DEBUG_LOCK_ALLOC\n\tstruct lockdep_map lockdep_map;\n#endif\n};'],
    ['struct zs_pool {\n', 'struct zs_pool {\n#ifdef CONFIG_DEBUG_LOCK_ALLOC\n\tstruct lock_class_key lockdep_key;\n#endif\n'],
    [/static void zspage_lock_init\(struct zspage \*zspage\)\n\{[\s\S]*?\n\}\n/, ''],
    [/static void zspage_read_lock\(struct zspage \*zspage\)\n\{[\s\S]*?\nstatic void zspage_write_unlock\(struct zspage \*zspage\)\n\{[\s\S]*?\n\}\n/, v5Lock()],
  ]);


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
