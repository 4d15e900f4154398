// The lock the explorer runs, as the CLI names it.
import type { LockDesign } from '../locks/contract.js';
import { loadLockDesign, lockSpecFor } from '../locks/registry.js';
import type { MemoryModel } from './types.js';

/** A lock by name (built-in or busted-...) or module path, for the CLI. */
export async function loadExplorerLock(nameOrPath: string, cwd = process.cwd(), memory: MemoryModel = 'sc'): Promise<LockDesign> {
  // weak memory: a C lock is built with its plain accesses instrumented, so they are race-checked
  return loadLockDesign(lockSpecFor(nameOrPath, cwd), { plainAccesses: memory === 'weak' });
}
