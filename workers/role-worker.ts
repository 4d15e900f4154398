// The piscina worker: one task is one role, played until the arena's stop flag.
import { installAtomicsRouter } from '../src/locks/atomics-router.js';
import { loadLockDesign } from '../src/locks/registry.js';
import { playModelRole } from '../src/pools/model.js';
import { histogramRuntime } from '../src/roles/metrics.js';
import type { RoleResult, RoleTask } from '../src/roles/task.js';

// Every global Atomics a lock module reaches is the router, however it reached it.
installAtomicsRouter();

// Set up while the coordinator still builds the arena: the task cannot come sooner.
histogramRuntime();

export default async function roleWorker(task: RoleTask): Promise<RoleResult> {
  return playModelRole(task, await loadLockDesign(task.lock));
}
