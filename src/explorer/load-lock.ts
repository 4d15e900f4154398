// The lock the explorer runs, as the CLI names it.
import type { LockDesign } from '../locks/contract.js';
import { loadLockDesign, lockSpecFor } from '../locks/registry.js';
import type { MemoryModel } from './types.js';

/**
 * A lock by name (built-in or busted-...) or module path, for the CLI. A C lock is built with
 * its plain accesses instrumented under weak memory, so that they are race-checked, and for
 * exhaustive exploration, whose state key then holds the words its plain code read (state-key.ts).
 */
export async function loadExplorerLock(nameOrPath: string, cwd = process.cwd(), memory: MemoryModel = 'sc', exhaustive = false): Promise<LockDesign> {
  return loadLockDesign(lockSpecFor(nameOrPath, cwd), { plainAccesses: memory === 'weak' || exhaustive });
}
