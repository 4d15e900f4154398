// Builds the pool arena and fills it: the readers' stable objects and half the
// churners' handles, every object written through zs_obj_write().
import { createArena, type Arena } from '../arena/arena.js';
import type { ArenaParams } from '../arena/layout.js';
import { BadInputError } from '../errors.js';
import { BoundedAtomics, SpinBudgetExceeded } from '../atomics/bounded.js';
import { createRouted } from '../invariants/global-atomics.js';
import type { LockDesign } from '../locks/contract.js';
import { zsMalloc } from '../model/alloc.js';
import { newCpu } from '../model/kernel-locks.js';
import { zsCreatePool } from '../model/create.js';
import { newMapping, zsObjWrite } from '../model/map.js';
import { buildClassTable } from '../model/size-class.js';
import { createZs, NO_HOOKS, objIndexBits, type Zs } from '../model/zs.js';
import { Rng } from '../rng.js';
import type { Scenario } from '../scenario/schema.js';
import { workerCount } from './config.js';

/** Atomic operations one lock call may take on an idle lock before it counts as hung. */
const LOCK_CALL_BUDGET = 1_000_000;

export interface PoolSetup {
  arena: Arena;
  params: ArenaParams;
  zs: Zs;
  atomics: BoundedAtomics;
  stable: number;
  churnFirst: number;
  churnEach: number;
}

export function arenaParams(s: Scenario, design: LockDesign): ArenaParams {
  const { pageSize, chainSize } = s.arena;
  const table = buildClassTable(pageSize, chainSize);
  const pages = Math.floor(s.arena.size / pageSize);
  const pfnBits = 31 - objIndexBits(table);
  if (pages > 2 ** pfnBits) throw new BadInputError(`arena.size: at most ${2 ** pfnBits} pages of ${pageSize} bytes`);
  if (s.objects.maxSize > pageSize || s.objects.minSize > s.objects.maxSize) {
    throw new BadInputError(`objects: sizes must satisfy minSize <= maxSize <= arena.pageSize (${pageSize})`);
  }
  return {
    pageSize,
    pages,
    chainSize,
    classCount: table.classes.length,
    lockWords: design.words,
    handles: s.objects.stable + s.objects.churn,
    workers: workerCount(s),
  };
}

export function buildPool(s: Scenario, design: LockDesign, seed: number): PoolSetup {
  const params = arenaParams(s, design);
  const arena = createArena(params);
  const cpu = newCpu();
  const atomics = new BoundedAtomics(LOCK_CALL_BUDGET, cpu);
  const table = buildClassTable(params.pageSize, params.chainSize);
  const zs = createZs(arena, table, createRouted(design, atomics), cpu, NO_HOOKS, s.kernel);
  zsCreatePool(zs);
  const rng = new Rng(seed, 0x7fff);
  const { stable, churn, minSize, maxSize } = s.objects;
  const churners = s.churners.count;
  const churnEach = churners > 0 ? Math.floor(churn / churners) : 0;
  const m = newMapping();
  const store = (h: number) => {
    if (!zsMalloc(zs, h, minSize + rng.below(maxSize - minSize + 1))) {
      throw new BadInputError(`arena.size ${s.arena.size} bytes is too small for the scenario's objects (full at handle ${h})`);
    }
    atomics.reset();
    zsObjWrite(zs, h, 0, m);
  };
  try {
    for (let h = 0; h < stable; h++) store(h);
    for (let h = stable; h < stable + churnEach * churners; h += 2) store(h);
  } catch (err) {
    if (err instanceof SpinBudgetExceeded) {
      throw new BadInputError(`lock '${design.name}': a lock call on an idle lock did not return during setup (${err.message})`);
    }
    throw err;
  }
  return { arena, params, zs, atomics, stable, churnFirst: stable, churnEach };
}
