// A small program for the explorer on the kernel's code: one line of operations per CPU,
// CPUs separated by '/'. Each operation is a zsmalloc call on an object slot of the setup:
//   R<n>   read object n (zs_obj_read_begin/_end or zs_map_object/zs_unmap_object);
//          R<n>s sleeps (a point where the others run) with it mapped
//   W<n>   rewrite object n          F<n>  free object n          A<n>  allocate object n again
//   M<n>   migrate the page object n is on now (the MM core around zsmalloc's movable_operations)
//   P<n>   migrate the page object n was on when the program started, whatever became of it
//          since (a page of a zspage being freed, under deferred free, or freed)
//   S      kcompactd's pass: every page of the arena in use, in pfn order, in clusters each
//          isolated first and moved after (the pages of every zspage, whatever it is doing)
//   C      zs_compact()              D     run zsmalloc's deferred work (async_free_zspage())
// e.g. "R0s/M0/F1": a reader sleeping with object 0 mapped, a migration of its page, and a
// free of its neighbour; "F0,F1,F2,F3/P0/D": the frees that empty a zspage while a page of it
// migrates, and the deferred free.
import { BadInputError } from '../errors.js';
import { KOBJ, KOBJ_WORDS, KPAGE_BYTES } from './layout.js';
import { CLUSTER_MAX, migrateCluster, pageInUse, pfnOfObject, readObject, storeObject } from './roles.js';
import type { KernelPool } from './runtime.js';

export type KernelOp =
  | { op: 'read'; slot: number; sleep: boolean }
  | { op: 'write' | 'free' | 'alloc' | 'migrate' | 'migrate-setup'; slot: number }
  | { op: 'compact' | 'work' | 'scan' };

const OP = /^(?:([RWFAMP])(\d+)(s?)|([CDS]))$/;
const WHOLE = { C: 'compact', D: 'work', S: 'scan' } as const;
const LETTER = { W: 'write', F: 'free', A: 'alloc', M: 'migrate', P: 'migrate-setup' } as const;

/** The CPUs' operations; `slots`: the setup's objects. Bad text is a BadInputError of one line. */
export function parseKernelProgram(text: string, slots: number): KernelOp[][] {
  const cpus = text.split('/').map((line) => line.trim().split(/[\s,]+/).filter(Boolean));
  if (cpus.length < 1 || cpus.some((ops) => ops.length === 0)) throw new BadInputError(`--program: '${text}': every CPU needs an operation ('R0s/M0/F1')`);
  return cpus.map((ops) =>
    ops.map((word): KernelOp => {
      const m = OP.exec(word);
      if (!m) throw new BadInputError(`--program: '${word}' is not an operation (R<n>[s], W<n>, F<n>, A<n>, M<n>, P<n>, C, D, S)`);
      if (m[4]) return { op: WHOLE[m[4] as keyof typeof WHOLE] };
      const slot = Number(m[2]);
      if (slot >= slots) throw new BadInputError(`--program: '${word}': the setup has objects 0 to ${slots - 1}`);
      if (m[1] === 'R') return { op: 'read', slot, sleep: m[3] === 's' };
      if (m[3]) throw new BadInputError(`--program: '${word}': only a read can sleep`);
      return { op: LETTER[m[1] as keyof typeof LETTER], slot };
    }),
  );
}

/**
 * One operation of a CPU's program on the pool; `report` takes what the read saw wrong;
 * `setupPfns`: the page each object was on when the program started.
 */
export function runKernelOp(pool: KernelPool, op: KernelOp, report: (message: string) => void, setupPfns: readonly number[]): void {
  const at = 'slot' in op ? pool.L.objects + op.slot * KOBJ_WORDS : 0;
  const h = 'slot' in op ? pool.mem[at + KOBJ.HANDLE]! : 0;
  switch (op.op) {
    case 'read':
      if (h !== 0) readObject(pool, op.slot, op.sleep ? () => pool.sleepHolding(0.001) : null, report);
      return;
    case 'write':
      if (h !== 0) storeObject(pool, op.slot, pool.mem[at + KOBJ.LEN]!);
      return;
    case 'alloc':
      if (h === 0) storeObject(pool, op.slot, pool.mem[at + KOBJ.LEN]!);
      return;
    case 'free':
      if (h === 0) return;
      pool.x.zsh_free(h);
      pool.mem[at + KOBJ.HANDLE] = 0;
      return;
    case 'migrate':
      if (h !== 0) pool.x.zsh_migrate(pfnOfObject(pool, op.slot), pool.scratch);
      return;
    case 'migrate-setup':
      // the MM core finds pages by pfn, not by object: the page may be any zsmalloc's now
      pool.x.zsh_migrate(setupPfns[op.slot]!, pool.scratch);
      return;
    case 'compact':
      pool.x.zsh_compact();
      return;
    case 'work':
      pool.x.zsh_run_work();
      return;
    case 'scan':
      scanAndMigrate(pool);
  }
}

/** kcompactd's pass over the whole arena: each cluster of pages in use isolated, then moved. */
function scanAndMigrate(pool: KernelPool): void {
  let pfns: number[] = [];
  for (let i = 0; i < pool.L.pages; i++) {
    if (pageInUse(pool, i)) pfns.push(pool.L.frames / KPAGE_BYTES + i);
    if (pfns.length === CLUSTER_MAX || (i === pool.L.pages - 1 && pfns.length > 0)) {
      migrateCluster(pool, pfns);
      pfns = [];
    }
  }
}
