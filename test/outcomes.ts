// Shared by the tests that compare two explorations: what an exhaustive exploration reached.
import { exploreExhaustive, type ExhaustiveOptions } from '../src/explorer/exhaustive.js';
import type { LockDesign } from '../src/locks/contract.js';

/**
 * Explores every execution of `client` and goes on after failures: the result, every final
 * state (the words, the calls each thread completed) and every rule that failed.
 */
export async function finalsAndRules(design: LockDesign, client: string, options: Omit<ExhaustiveOptions, 'keepGoing' | 'onRun'>) {
  const finals = new Set<string>();
  const rules = new Set<string>();
  const r = await exploreExhaustive(design, client.split('/'), {
    ...options,
    keepGoing: true,
    onRun: (run) => {
      if (run.failure) rules.add(run.failure.rule);
      else finals.add(`${[...run.mem].join(',')}|${run.threads.map((t) => t.callsDone).join(',')}`);
    },
  });
  return { r, finals: [...finals].sort(), rules: [...rules].sort() };
}
