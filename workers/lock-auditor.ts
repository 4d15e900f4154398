// The audit's lock check, off the coordinator's thread (src/invariants/lock-auditor.ts): for
// every live zspage, does a write trylock take its lock (and release it)?
import { parentPort, workerData } from 'node:worker_threads';
import { attachArena } from '../src/arena/arena.js';
import { lockAuditor } from '../src/invariants/lock-auditor.js';
import { installAtomicsRouter } from '../src/locks/atomics-router.js';
import { loadLockDesign } from '../src/locks/registry.js';
import { AUDITOR, type AuditorData, type AuditorMessage, LOCK_CALL_BUDGET } from '../src/supervised/auditor-messages.js';

// Every global Atomics a lock module reaches is the router, however it reached it.
installAtomicsRouter();

const data = workerData as AuditorData;
const status = new Int32Array(data.status);
const arena = attachArena(data.memory, data.params);
const lockProblems = lockAuditor(arena, data.params, await loadLockDesign(data.lock), LOCK_CALL_BUDGET);
const post = (m: AuditorMessage) => parentPort!.postMessage(m);

parentPort!.on('message', () => {
  const problems = lockProblems((z) => Atomics.store(status, AUDITOR.ZSPAGE, z));
  Atomics.store(status, AUDITOR.ZSPAGE, -1);
  post({ problems });
});
post({ ready: true });
