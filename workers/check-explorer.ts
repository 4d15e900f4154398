// check's explorer worker (src/coordinator/check-explore.ts): one explorer part of `check`,
// round-robin over its configurations in chunks until one fails or its time is up. Before
// each chunk it says which configuration and seed run, and its progress is recorded in the
// shared watch, so that a lock call that never returns can be reported with its schedule.
import { parentPort, workerData } from 'node:worker_threads';
import { BadInputError, errorMessage } from '../src/errors.js';
import { declaresOrderings, explore } from '../src/explorer/index.js';
import { ExploreWatch } from '../src/explorer/watch.js';
import { installAtomicsRouter } from '../src/locks/atomics-router.js';
import { loadLockDesign } from '../src/locks/registry.js';
import type { CheckExplorerData, CheckExplorerMessage } from '../src/supervised/check-explorer-messages.js';

// Every global Atomics a lock module reaches is the router, however it reached it.
installAtomicsRouter();

const data = workerData as CheckExplorerData;
const post = (m: CheckExplorerMessage) => parentPort!.postMessage(m);

try {
  const weak = data.memory === 'weak';
  // weak memory: a C lock is built with its plain accesses instrumented (as loadExplorerLock does)
  const design = await loadLockDesign(data.lock, { plainAccesses: weak });
  const watch = new ExploreWatch(data.watchSize, data.watch);
  let skipped = false;
  if (data.onlyIfOrdered) {
    post({ chunk: { config: -1, seed: -1 } });
    skipped = !declaresOrderings(design, watch);
  }
  if (skipped) post({ skipped: true });
  else post(await chunks());

  async function chunks(): Promise<CheckExplorerMessage> {
    const deadline = performance.now() + data.budgetMs;
    let iterations = 0;
    // Chunks grow while they are short, so that a slow lock still sees every configuration soon.
    let chunk = 16;
    for (let round = 0; ; round++) {
      for (let c = 0; c < data.configs.length; c++) {
        if (performance.now() >= deadline && iterations > 0) return { done: { iterations, failure: null, config: -1, seed: -1 } };
        const cfg = data.configs[c]!;
        const seed = (data.seed + round * data.configs.length + c) % 2 ** 32;
        post({ chunk: { config: c, seed }, iterations });
        const t = performance.now();
        let r;
        try {
          r = await explore(design, { ...cfg, iterations: chunk, seed, memory: data.memory }, watch);
        } catch (err) {
          // A lock that fails differently when its failing schedule is run again is not deterministic.
          return { error: errorMessage(err).split('\n', 1)[0]!, iterations };
        }
        iterations += r.iterations;
        if (r.failure) return { done: { iterations, failure: r.failure, config: c, seed } };
        if (performance.now() - t < 20 && chunk < 4096) chunk *= 2;
      }
    }
  }
} catch (err) {
  if (!(err instanceof BadInputError)) throw err;
  post({ error: err.message, iterations: 0 });
}
