// The audit's lock check, off the coordinator's thread: for every live zspage, does a write
// trylock take its lock (and release it)? A lock call that never returns, even one spinning
// on plain memory no budget can see, then costs this worker, which the coordinator ends.
import { parentPort, workerData } from 'node:worker_threads';
import { attachArena } from '../src/arena/arena.js';
import { ZSP } from '../src/arena/layout.js';
import { boundedLockCheck } from '../src/invariants/audit.js';
import { BoundedAtomics } from '../src/atomics/bounded.js';
import { createRouted } from '../src/invariants/global-atomics.js';
import { installAtomicsRouter } from '../src/locks/atomics-router.js';
import { loadLockDesign } from '../src/locks/registry.js';
import { buildClassTable } from '../src/model/size-class.js';
import { newCpu } from '../src/model/kernel-locks.js';
import { createZs, NO_HOOKS, zspAt } from '../src/model/zs.js';
import { AUDITOR, type AuditorData, type AuditorMessage, LOCK_CALL_BUDGET } from '../src/supervised/auditor-messages.js';

// Every global Atomics a lock module reaches is the router, however it reached it.
installAtomicsRouter();

const data = workerData as AuditorData;
const status = new Int32Array(data.status);
const arena = attachArena(data.memory, data.params);
const cpu = newCpu();
const atomics = new BoundedAtomics(LOCK_CALL_BUDGET, cpu);
const table = buildClassTable(data.params.pageSize, data.params.chainSize);
const lock = createRouted(await loadLockDesign(data.lock), atomics);
const zs = createZs(arena, table, lock, cpu, NO_HOOKS);
const lockFree = boundedLockCheck(zs, atomics);
const post = (m: AuditorMessage) => parentPort!.postMessage(m);

parentPort!.on('message', () => {
  const problems: [number, string][] = [];
  for (let z = 0; z < zs.L.maxZspages; z++) {
    if (zs.mem[zspAt(zs, z, ZSP.CLASS)]! < 0) continue;
    Atomics.store(status, AUDITOR.ZSPAGE, z);
    const problem = lockFree(z);
    if (problem !== null) problems.push([z, problem]);
  }
  Atomics.store(status, AUDITOR.ZSPAGE, -1);
  post({ problems });
});
post({ ready: true });
