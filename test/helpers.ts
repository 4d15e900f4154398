// Shared test helpers: a small pool built on the main thread, and the CLI as a child process.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPool, type PoolSetup } from '../src/coordinator/setup.js';
import type { LockDesign } from '../src/locks/contract.js';
import zspageAtomicFixed from '../src/locks/zspage-atomic-fixed.js';
import { parseScenario } from '../src/scenario/load.js';
import type { ScenarioInput } from '../src/scenario/schema.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

export function smallScenario(patch: Partial<ScenarioInput> = {}) {
  return parseScenario(
    {
      duration: '1s',
      arena: { size: '4MiB' },
      objects: { stable: 400, churn: 200, minSize: 16, maxSize: 4096 },
      readers: { count: 1 },
      ...patch,
    },
    'test',
  );
}

export function smallPool(design: LockDesign = zspageAtomicFixed, seed = 7, patch: Partial<ScenarioInput> = {}): PoolSetup {
  return buildPool(smallScenario(patch), design, seed);
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  out: string;
  summary(): Record<string, any>;
}

/** Runs the built CLI; `--out` goes to a fresh temporary folder unless given. */
export function cli(args: string[], opts: { out?: boolean } = {}): CliRun {
  const out = mkdtempSync(join(tmpdir(), 'zss-'));
  const full = opts.out === false ? args : [...args, '--out', join(out, 'run')];
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/zspage-stress.js'), ...full], { encoding: 'utf8', cwd: ROOT });
  return {
    code: r.status ?? -1,
    stdout: r.stdout,
    stderr: r.stderr,
    out: join(out, 'run'),
    summary: () => JSON.parse(readFileSync(join(out, 'run', 'summary.json'), 'utf8')),
  };
}
