// The audit's lock check off the coordinator's thread, its worker side (workers/lock-auditor.ts;
// coordinator/lock-auditor.ts supervises it): a lock call that never returns, even one spinning
// on plain memory no budget can see, then costs that worker, which the coordinator ends.
import type { Arena } from '../arena/arena.js';
import { ZSP, type ArenaParams } from '../arena/layout.js';
import { BoundedAtomics } from '../atomics/bounded.js';
import type { LockDesign } from '../locks/contract.js';
import { newCpu } from '../model/kernel-locks.js';
import { buildClassTable } from '../model/size-class.js';
import { createZs, NO_HOOKS, zspAt } from '../model/zs.js';
import { boundedLockCheck } from './audit.js';
import { createRouted } from './global-atomics.js';

/** For every live zspage, whether a write trylock takes its lock: [zspage, what is wrong] of those where not. */
export type LockProblems = (starting: (z: number) => void) => [number, string][];

/** The check on `arena`'s zspages with a lock of `design`, each call bounded to `budget` operations; `starting` is told each zspage before its check. */
export function lockAuditor(arena: Arena, params: ArenaParams, design: LockDesign, budget: number): LockProblems {
  const cpu = newCpu();
  const atomics = new BoundedAtomics(budget, cpu);
  const table = buildClassTable(params.pageSize, params.chainSize);
  const zs = createZs(arena, table, createRouted(design, atomics), cpu, NO_HOOKS);
  const lockFree = boundedLockCheck(zs, atomics);
  return (starting) => {
    const problems: [number, string][] = [];
    for (let z = 0; z < zs.L.maxZspages; z++) {
      if (zs.mem[zspAt(zs, z, ZSP.CLASS)]! < 0) continue;
      starting(z);
      const problem = lockFree(z);
      if (problem !== null) problems.push([z, problem]);
    }
    return problems;
  };
}
