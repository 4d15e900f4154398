// A role's step on any pool, and the loop that plays it.
import { churnerStep } from './churner.js';
import { compactorStep } from './compactor.js';
import { finishLoop, runLoop } from './loop.js';
import { migratorStep } from './migrator.js';
import type { PoolOps, RoleEnv } from './pool.js';
import { readerStep } from './reader.js';
import type { RoleName } from './task.js';

const STEPS: Record<RoleName, (env: RoleEnv, ops: PoolOps) => () => void> = {
  reader: readerStep,
  migrator: migratorStep,
  compactor: compactorStep,
  churner: churnerStep,
};

/** The plan's role as one step on `ops`. */
export const roleStep = (env: RoleEnv, ops: PoolOps): (() => void) => STEPS[env.plan.role](env, ops);

/** Plays the plan's role on `ops` until the coordinator stops the run; returns the interval messages sent. */
export function playRole(env: RoleEnv, ops: PoolOps): number {
  return finishLoop(env, ops, runLoop(env, ops, roleStep(env, ops)));
}
