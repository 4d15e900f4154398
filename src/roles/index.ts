import { createRoleContext } from './context.js';
import { runLoop } from './loop.js';
import { churnerStep } from './churner.js';
import { compactorStep } from './compactor.js';
import { migratorStep } from './migrator.js';
import { readerStep } from './reader.js';
import type { RoleName, RoleResult, RoleTask } from './task.js';
import type { RoleContext } from './context.js';
import type { LockDesign } from '../locks/contract.js';

const STEPS: Record<RoleName, (ctx: RoleContext) => () => void> = {
  reader: readerStep,
  migrator: migratorStep,
  compactor: compactorStep,
  churner: churnerStep,
};

/** Plays one role until the coordinator stops the run. */
export function playRole(task: RoleTask, design: LockDesign): RoleResult {
  const ctx = createRoleContext(task, design);
  const s = task.scenario;
  const pause = task.role === 'reader' ? { kind: 'fixed' as const, a: 0, b: 0 } : s[`${task.role}s`].pause;
  return { intervals: runLoop(ctx, STEPS[task.role](ctx), pause) };
}
