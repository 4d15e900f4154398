// A worker that fails: what the run reports about it, and the heap limit that lets a
// runaway allocation end as a diagnosed failure instead of taking the machine down.
import type { ResourceLimits } from 'node:worker_threads';
import { BadInputError, errorMessage } from '../errors.js';

/** Caps each worker's old-generation heap, in MiB (unset: Node's default). */
export const WORKER_HEAP_ENV = 'ZSPAGE_STRESS_WORKER_HEAP_MIB';

export function workerResourceLimits(env: NodeJS.ProcessEnv = process.env): ResourceLimits | undefined {
  const text = env[WORKER_HEAP_ENV];
  if (text === undefined || text === '') return undefined;
  const mib = Number(text);
  if (!Number.isInteger(mib) || mib < 8) {
    throw new BadInputError(`${WORKER_HEAP_ENV}: expected a whole number of MiB, at least 8, got '${text}'`);
  }
  return { maxOldGenerationSizeMb: mib };
}

/**
 * One line: who failed, with which seed, doing what (its held state in the arena,
 * which outlives the worker), and the error with the frame it came from. piscina
 * keeps an error's message and stack across the thread boundary, not its fields.
 */
export function describeWorkerFailure(label: string, seed: number, doing: string, err: unknown): string {
  const message = errorMessage(err).split('\n', 1)[0];
  const died = err instanceof Error && /^Error \[ERR_WORKER_/.test(err.stack ?? '');
  const frame = err instanceof Error && !died ? err.stack?.split('\n').find((l) => /^\s+at /.test(l))?.trim() : undefined;
  return `${label} (seed ${seed}) ${died ? 'died' : 'threw'} while ${doing}: ${message}${frame ? ` (${frame})` : ''}`;
}
