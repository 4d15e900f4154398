// A role on our model of zsmalloc: the default pool, and the fast path.
import type { LockDesign } from '../locks/contract.js';
import { playRole } from '../roles/index.js';
import type { RoleResult, RoleTask } from '../roles/task.js';
import { createRoleContext } from './model-context.js';
import { ModelOps } from './model-ops.js';

/** Plays one role on the model until the coordinator stops the run. */
export function playModelRole(task: RoleTask, design: LockDesign): RoleResult {
  const ctx = createRoleContext(task, design);
  return { intervals: playRole(ctx, new ModelOps(ctx)) };
}
