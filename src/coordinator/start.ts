// A run's start: the lock loaded, one piscina worker per role booting, the arena built and
// filled (the audit's lock-check worker boots later, once every role runs). Split from the
// run itself so that a caller with other work first (check's explorer parts) can start it
// early and hand it over.
import { Piscina } from 'piscina';
import { lockWords } from '../invariants/audit.js';
import { loadLockDesign } from '../locks/registry.js';
import type { LockDesign } from '../locks/contract.js';
import { compiledPath } from '../paths.js';
import { ROLES, roleLabel, type RoleName } from '../roles/task.js';
import { roleCount, type RunConfig } from './config.js';
import { workerResourceLimits } from './faults.js';
import { LockAuditor } from './lock-auditor.js';
import { buildPool, type PoolSetup } from './setup.js';

/** A worker thread that has not started playing by then will not (a loaded machine starts one in seconds). */
export const START_TIMEOUT_MS = 60_000;

/**
 * piscina loads a worker's module with require() first. Node 20 requires an ES module
 * synchronously, and a worker ended in that instant (a start that check discards while its
 * workers boot) aborts the whole process (V8: "IsGraphAsync must be used on an instantiated
 * module"). Without require(esm), piscina imports the module, which can be ended safely.
 */
const ROLE_WORKER_EXEC_ARGV = [
  ...process.execArgv,
  ...(process.allowedNodeEnvironmentFlags.has('--no-experimental-require-module') ? ['--no-experimental-require-module'] : []),
];

export interface StressStart {
  design: LockDesign;
  /** One entry per worker: readers first, then the writers, then churners. */
  roles: RoleName[];
  roleIndex: number[];
  labels: string[];
  pool: Piscina;
  setup: PoolSetup;
  auditor: LockAuditor;
}

export async function startStress(cfg: RunConfig): Promise<StressStart> {
  const s = cfg.scenario;
  const design = await loadLockDesign(cfg.lock);
  const roles: RoleName[] = ROLES.flatMap((r) => Array.from({ length: roleCount(s, r) }, () => r));
  const roleIndex = roles.map((r, w) => roles.slice(0, w).filter((x) => x === r).length);
  const labels = roles.map((r, w) => roleLabel(r, roleIndex[w]!));
  // The pool starts its threads now, so that they boot while this thread builds the arena.
  const pool = new Piscina({
    filename: compiledPath('workers', 'role-worker.js'),
    minThreads: roles.length,
    maxThreads: roles.length,
    idleTimeout: Number.MAX_SAFE_INTEGER,
    resourceLimits: workerResourceLimits(),
    execArgv: ROLE_WORKER_EXEC_ARGV,
  });
  let setup: PoolSetup;
  try {
    setup = buildPool(s, design, cfg.seed);
  } catch (err) {
    await pool.destroy();
    throw err;
  }
  const { zs, arena } = setup;
  // The lock under test runs the audit's lock check in a worker: a call that never returns is reported, not waited on.
  const auditor = new LockAuditor(arena.memory, setup.params, cfg.lock, s.stallTimeout / 1e6, START_TIMEOUT_MS, (z) => lockWords(zs, z));
  return { design, roles, roleIndex, labels, pool, setup, auditor };
}

/** Ends a start that will not be run (the check stopped before its stress part). */
export async function discardStress(start: StressStart): Promise<void> {
  await Promise.all([start.pool.destroy(), start.auditor.close()]);
}
