// The explorer's worker (src/explorer/bounded.ts): one exploration or replay of one lock,
// its progress recorded in the shared watch so that a hung lock call can be reported.
import { parentPort, workerData } from 'node:worker_threads';
import { BadInputError } from '../src/errors.js';
import type { ExplorerReply, ExplorerWorkerData } from '../src/supervised/explorer-messages.js';
import { explore, replay } from '../src/explorer/index.js';
import { exploreExhaustive } from '../src/explorer/exhaustive.js';
import { watchShape } from '../src/explorer/bounded.js';
import { ExploreWatch } from '../src/explorer/watch.js';
import { installAtomicsRouter } from '../src/locks/atomics-router.js';
import { loadLockDesign } from '../src/locks/registry.js';

// Every global Atomics a lock module reaches is the router, however it reached it.
installAtomicsRouter();

const data = workerData as ExplorerWorkerData;
const post = (m: ExplorerReply) => parentPort!.postMessage(m);

try {
  const { task } = data;
  const memory = task.kind === 'explore' ? task.options.memory : task.memory;
  // weak memory and exhaustive exploration: a C lock is built with its plain accesses instrumented (as loadExplorerLock does)
  const design = await loadLockDesign(data.lock, { plainAccesses: memory === 'weak' || task.kind === 'exhaustive' });
  if (task.kind === 'explore') {
    post({ explored: await explore(design, task.options, new ExploreWatch(task.options, data.watch)) });
  } else if (task.kind === 'exhaustive') {
    const watch = new ExploreWatch(watchShape(task.programs), data.watch);
    const cache = task.reduction !== 'dpor';
    post({ exhausted: await exploreExhaustive(design, task.programs, { memory: task.memory, budgetMs: task.budgetMs, watch, cache }) });
  } else {
    post({ replayed: await replay(design, task.schedule, task.memory) });
  }
} catch (err) {
  if (!(err instanceof BadInputError)) throw err;
  post({ bad: err.message });
}
