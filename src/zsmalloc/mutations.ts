// Known zspage lock changes, applied to a user's mm/zsmalloc.c, that the checks must catch
// (`selftest --zsmalloc`): v5's lock as posted, a write trylock that waits for readers, and
// compaction that moves objects without the zspage write lock. Each is a list of textual
// edits of the 6.15+ file; a version the edits do not match is skipped, with the edit that
// did not match as the reason. The edited file is written to a tree of its own (zsmalloc.c,
// and the zpdesc.h and include/linux/zsmalloc.h beside it), the user's file untouched.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ViolationKind } from '../grading/vocabulary.js';
import { packageRoot } from '../paths.js';
import type { KernelRole, KernelRoleConfig } from './roles.js';

export interface SourceEdit {
  /** What the edit needs in the file, for the reason a version is skipped. */
  needs: string;
  from: string | RegExp;
  to: string | (() => string);
}

/** The kernel stress that catches a mutation soon: overrides of a run's options. */
export interface KernelStressTuning {
  pages?: number;
  roles?: Partial<Record<KernelRole, number>>;
  /** A reader's fixed hold of a mapped object, asleep, in ns. */
  holdNs?: number;
  config?: Partial<KernelRoleConfig>;
}

export interface ZsmallocMutation {
  name: string;
  summary: string;
  edits: SourceEdit[];
  /** The violation kinds that show it (the first one the run sees must be one of them). */
  expect: ViolationKind[];
  tuning: KernelStressTuning;
}

/** v5's lock (zspage-lock-v5.c) from its first #define, with mainline's name for the trylock. */
function v5Lock(): string {
  const file = readFileSync(join(packageRoot(), 'src', 'zsmalloc', 'zspage-lock-v5.c'), 'utf8');
  return file.slice(file.indexOf('#define ZS_PAGE_UNLOCKED')).replace(/zspage_try_write_lock/g, 'zspage_write_trylock');
}

export const MUTATIONS: readonly ZsmallocMutation[] = [
  {
    name: 'v5-lock-as-posted',
    summary: "6.15's zspage lock replaced by v5's atomic_t lock as posted: its read lock enters a write-locked zspage",
    edits: [
      // v5's struct members: the atomic_t and its lockdep map, and the pool's lockdep key
      { needs: "6.15's struct zspage_lock", from: /#define ZS_PAGE_UNLOCKED\t0\n#define ZS_PAGE_WRLOCKED\t-1\n\nstruct zspage_lock \{[^}]*\};\n/, to: '' },
      { needs: 'struct zspage ending in its zsl member', from: '\tstruct zspage_lock zsl;\n};', to: '\tatomic_t lock;\n\n#ifdef CONFIG_DEBUG_LOCK_ALLOC\n\tstruct lockdep_map lockdep_map;\n#endif\n};' },
      { needs: 'struct zs_pool', from: 'struct zs_pool {\n', to: 'struct zs_pool {\n#ifdef CONFIG_DEBUG_LOCK_ALLOC\n\tstruct lock_class_key lockdep_key;\n#endif\n' },
      { needs: 'zspage_lock_init()', from: /static void zspage_lock_init\(struct zspage \*zspage\)\n\{[\s\S]*?\n\}\n/, to: '' },
      {
        needs: 'zspage_read_lock() to zspage_write_unlock() in a row',
        from: /static void zspage_read_lock\(struct zspage \*zspage\)\n\{[\s\S]*?\nstatic void zspage_write_unlock\(struct zspage \*zspage\)\n\{[\s\S]*?\n\}\n/,
        to: v5Lock,
      },
    ],
    expect: ['exclusion'],
    // readers on a few hot objects, every migration aimed at their pages
    tuning: { pages: 1024, roles: { reader: 3, churner: 1, compactor: 1, migrator: 1 }, holdNs: 1_000_000, config: { sleepFraction: 0.05, hotObjects: 4, hotFraction: 1, targetedMigrations: 1 } },
  },
  {
    name: 'waiting-write-trylock',
    summary: 'zspage_write_trylock() waits for the readers to leave: a writer spins in atomic context while readers sleep',
    edits: [
      {
        needs: "6.15's zspage_write_trylock() (spin_lock(&zsl->lock), then a test of zsl->cnt)",
        from: '\tspin_lock(&zsl->lock);\n\tif (zsl->cnt == ZS_PAGE_UNLOCKED) {',
        to: '\tspin_lock(&zsl->lock);\n\twhile (zsl->cnt != ZS_PAGE_UNLOCKED) {\n\t\tspin_unlock(&zsl->lock);\n\t\tcpu_relax();\n\t\tspin_lock(&zsl->lock);\n\t}\n\tif (zsl->cnt == ZS_PAGE_UNLOCKED) {',
      },
    ],
    expect: ['stall'],
    // readers that sleep long holding their objects
    tuning: { pages: 4096, roles: { reader: 2, churner: 1, compactor: 1, migrator: 1 }, holdNs: 1_500_000_000, config: { stable: 60, churnEach: 200, minSize: 32, maxSize: 3000, sleepFraction: 0.5, hotObjects: 0, hotFraction: 0, targetedMigrations: 0 } },
  },
  {
    name: 'compact-without-write-lock',
    summary: "__zs_compact() moves a zspage's objects without taking its write lock",
    edits: [
      {
        needs: "__zs_compact()'s zspage_write_trylock(src_zspage) around migrate_zspage() (6.15+)",
        from: '\t\tif (!zspage_write_trylock(src_zspage))\n\t\t\tbreak;\n\n\t\tmigrate_zspage(pool, src_zspage, dst_zspage);\n\t\tzspage_write_unlock(src_zspage);',
        to: '\t\tmigrate_zspage(pool, src_zspage, dst_zspage);',
      },
    ],
    // a mapped object overwritten, or the emptied zspage freed under its reader: whichever
    // check sees the consequence first (docs/ZSMALLOC.md)
    expect: ['integrity', 'stall', 'exclusion', 'lock-order', 'memory-safety'],
    // many readers asleep holding few large objects, so that the zspages compaction empties hold mapped ones
    tuning: { pages: 1024, roles: { reader: 8, churner: 1, compactor: 1, migrator: 0 }, holdNs: 5_000_000, config: { stable: 20, churnEach: 200, minSize: 1800, maxSize: 3000, sleepFraction: 1, hotObjects: 0, hotFraction: 0, targetedMigrations: 0 } },
  },
];

/** `source` with every edit applied, or why the edits do not apply to this version. */
export function applyEdits(source: string, edits: readonly SourceEdit[]): { source: string } | { skipped: string } {
  let src = source;
  for (const e of edits) {
    const after = src.replace(e.from, typeof e.to === 'string' ? e.to : e.to());
    if (after === src) return { skipped: `the file has no ${e.needs}` };
    src = after;
  }
  return { source: src };
}

/** The files of a tree beside the edited zsmalloc.c: the headers readZsmallocTree() reads. */
export interface TreeFiles {
  zpdesc: string | null;
  header: string | null;
}

/** Writes a tree at `dir` (mm/zsmalloc.c, mm/zpdesc.h, include/linux/zsmalloc.h) for `--zsmalloc`. */
export function writeTree(dir: string, source: string, beside: TreeFiles): string {
  mkdirSync(join(dir, 'mm'), { recursive: true });
  writeFileSync(join(dir, 'mm', 'zsmalloc.c'), source);
  if (beside.zpdesc !== null) writeFileSync(join(dir, 'mm', 'zpdesc.h'), beside.zpdesc);
  if (beside.header !== null) {
    mkdirSync(join(dir, 'include', 'linux'), { recursive: true });
    writeFileSync(join(dir, 'include', 'linux', 'zsmalloc.h'), beside.header);
  }
  return dir;
}
