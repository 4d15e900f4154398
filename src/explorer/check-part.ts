// One explorer part of `check`, in its worker (src/coordinator/check-explore.ts supervises
// it): round-robin over its configurations in chunks until one fails or its time is up.
// Before each chunk it says which configuration and seed run, and its progress is recorded
// in the shared watch, so that a lock call that never returns can be reported with its schedule.
import { BadInputError, errorMessage } from '../errors.js';
import type { LockDesign } from '../locks/contract.js';
import { loadLockDesign } from '../locks/registry.js';
import type { CheckExplorerData, CheckExplorerMessage } from '../supervised/check-explorer-messages.js';
import { declaresOrderings, explore } from './index.js';
import { ExploreWatch } from './watch.js';

type Post = (m: CheckExplorerMessage) => void;

/** Runs the part `data` describes; its outcome is the last message posted. */
export async function runCheckPart(data: CheckExplorerData, post: Post): Promise<void> {
  try {
    // weak memory: a C lock is built with its plain accesses instrumented (as loadExplorerLock does)
    const design = await loadLockDesign(data.lock, { plainAccesses: data.memory === 'weak' });
    const watch = new ExploreWatch(data.watchSize, data.watch);
    let skipped = false;
    if (data.onlyIfOrdered) {
      post({ chunk: { config: -1, seed: -1 } });
      skipped = !declaresOrderings(design, watch);
    }
    if (skipped) post({ skipped: true });
    else post(await chunks(data, design, watch, post));
  } catch (err) {
    if (!(err instanceof BadInputError)) throw err;
    post({ error: err.message, iterations: 0 });
  }
}

async function chunks(data: CheckExplorerData, design: LockDesign, watch: ExploreWatch, post: Post): Promise<CheckExplorerMessage> {
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
