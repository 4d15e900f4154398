// A small program for the explorer on the kernel's code: one line of operations per CPU,
// CPUs separated by '/'. Each operation is a zsmalloc call on an object slot of the setup:
//   R<n>   read object n (zs_obj_read_begin/_end or zs_map_object/zs_unmap_object);
//          R<n>s sleeps (a point where the others run) with it mapped
//   W<n>   rewrite object n          F<n>  free object n          A<n>  allocate object n again
//   M<n>   migrate the page object n is on (the MM core around zsmalloc's movable_operations)
//   C      zs_compact()              D     run zsmalloc's deferred work (async_free_zspage())
// e.g. "R0s/M0/F1": a reader sleeping with object 0 mapped, a migration of its page, and a
// free of its neighbour.
import { BadInputError } from '../errors.js';
import { KOBJ, KOBJ_WORDS } from './layout.js';
import { pfnOfObject, readObject, storeObject } from './roles.js';
import type { KernelPool } from './runtime.js';

export type KernelOp =
  | { op: 'read'; slot: number; sleep: boolean }
  | { op: 'write' | 'free' | 'alloc' | 'migrate'; slot: number }
  | { op: 'compact' | 'work' };

const OP = /^(?:([RWFAM])(\d+)(s?)|([CD]))$/;
const LETTER = { W: 'write', F: 'free', A: 'alloc', M: 'migrate' } as const;

/** The CPUs' operations; `slots`: the setup's objects. Bad text is a BadInputError of one line. */
export function parseKernelProgram(text: string, slots: number): KernelOp[][] {
  const cpus = text.split('/').map((line) => line.trim().split(/[\s,]+/).filter(Boolean));
  if (cpus.length < 1 || cpus.some((ops) => ops.length === 0)) throw new BadInputError(`--program: '${text}': every CPU needs an operation ('R0s/M0/F1')`);
  return cpus.map((ops) =>
    ops.map((word): KernelOp => {
      const m = OP.exec(word);
      if (!m) throw new BadInputError(`--program: '${word}' is not an operation (R<n>[s], W<n>, F<n>, A<n>, M<n>, C, D)`);
      if (m[4]) return { op: m[4] === 'C' ? 'compact' : 'work' };
      const slot = Number(m[2]);
      if (slot >= slots) throw new BadInputError(`--program: '${word}': the setup has objects 0 to ${slots - 1}`);
      if (m[1] === 'R') return { op: 'read', slot, sleep: m[3] === 's' };
      if (m[3]) throw new BadInputError(`--program: '${word}': only a read can sleep`);
      return { op: LETTER[m[1] as keyof typeof LETTER], slot };
    }),
  );
}

/** One operation of a CPU's program on the pool; `report` takes what the read saw wrong. */
export function runKernelOp(pool: KernelPool, op: KernelOp, report: (message: string) => void): void {
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
    case 'compact':
      pool.x.zsh_compact();
      return;
    case 'work':
      pool.x.zsh_run_work();
  }
}
